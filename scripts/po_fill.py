"""Fill empty msgstr entries of a .po file from a TSV of `source<TAB>translation` lines (developer tool).

Usage: python scripts/po_fill.py <app>/locale/en/LC_MESSAGES/django.po translations.tsv
Entries already translated are left alone; missing ones are listed so nothing is silently left out.
"""
import re
import sys


def unquote(text):
    return text.encode("raw_unicode_escape").decode("unicode_escape") if "\\" in text else text


def fill(po_path, mapping):
    lines = open(po_path, encoding="utf-8").read().split("\n")
    out, missing, i = [], [], 0
    while i < len(lines):
        line = lines[i]
        match = re.match(r'^msgid "(.*)"$', line)
        if match and match.group(1) and i + 1 < len(lines) and lines[i + 1] == 'msgstr ""' and (
            i + 2 >= len(lines) or not lines[i + 2].startswith('"')
        ):
            source = match.group(1)
            out.append(line)
            if source in mapping:
                escaped = mapping[source].replace('"', '\\"')
                out.append(f'msgstr "{escaped}"')
            else:
                out.append('msgstr ""')
                missing.append(source)
            i += 2
            continue
        out.append(line.replace("#, fuzzy\n", ""))
        i += 1
    charset = '"Content-Type: text/plain; charset=%s\\n"'
    text = "\n".join(out).replace(charset % "CHARSET", charset % "UTF-8")
    text = re.sub(r"^#, fuzzy\n(?=msgid \"\"\n)", "", text, flags=re.M)
    open(po_path, "w", encoding="utf-8").write(text)
    return missing


if __name__ == "__main__":
    po, tsv = sys.argv[1], sys.argv[2]
    pairs = dict(line.split("\t", 1) for line in open(tsv, encoding="utf-8").read().splitlines() if "\t" in line)
    missing = fill(po, pairs)
    for source in missing:
        print("untranslated:", source)
