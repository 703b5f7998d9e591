"""Production static files: WhiteNoise's compressed, hashed storage, minus source-map references.

Vendor packages (Tabler's bundled libraries) ship CSS and JS naming `.map` files they do not ship; Django's
manifest storage refuses the whole `collectstatic` over one such reference. Source maps are for developers, so
references to them are left as they are rather than hashed; every other reference (url(), @import) still is.
"""
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    kept = []
    for extension, rules in patterns:
        rules = tuple(rule for rule in rules if "sourceMappingURL" not in str(rule))
        if rules:
            kept.append((extension, rules))
    return tuple(kept)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
