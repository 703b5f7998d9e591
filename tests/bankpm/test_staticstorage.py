"""Production's static storage (bankpm/staticstorage.py): a vendor file naming a source map it does not ship no longer
stops `collectstatic`, and the references that matter are still hashed."""
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from bankpm.staticstorage import StaticFilesStorage


def post_process(tmp_path, files):
    storage = StaticFilesStorage(location=str(tmp_path / "out"), base_url="/static/")
    source = FileSystemStorage(location=str(tmp_path / "src"))
    for name, content in files.items():
        source.save(name, ContentFile(content))
        storage.save(name, ContentFile(content))
    results = list(storage.post_process({name: (source, name) for name in files}))
    return storage, results


def test_a_css_naming_a_missing_source_map_is_collected(tmp_path):
    css = b"a{background:url(pic.png)}\n/*# sourceMappingURL=lib.min.css.map */\n"
    storage, results = post_process(tmp_path, {"lib.min.css": css, "pic.png": b"\x89PNG"})
    assert not [error for _name, _hashed, error in results if isinstance(error, Exception)]
    hashed_css = storage.open(storage.stored_name("lib.min.css")).read().decode()
    assert "url(\"pic." in hashed_css and storage.stored_name("pic.png") != "pic.png"
    assert hashed_css.rstrip().endswith("/*# sourceMappingURL=lib.min.css.map */")


def test_a_missing_image_is_still_refused(tmp_path):
    _storage, results = post_process(tmp_path, {"lib.css": b"a{background:url(missing.png)}"})
    assert any(isinstance(error, Exception) for _name, _hashed, error in results)
