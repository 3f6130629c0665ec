"""Fill untranslated entries of the 繁體 catalog by converting the Simplified msgid with OpenCC.

Entries a person has translated (non-empty msgstr) are kept as they are.
Usage: python tools/fill_traditional.py translations/zh_Hant/LC_MESSAGES/messages.po
"""

from __future__ import annotations

import sys

import opencc
from babel.messages.pofile import read_po, write_po


def main(path: str) -> None:
    convert = opencc.OpenCC("s2tw").convert
    with open(path, "rb") as f:
        catalog = read_po(f)
    filled = 0
    for message in catalog:
        if not message.id or message.string:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(convert(part) for part in message.id)
        else:
            message.string = convert(message.id)
        filled += 1
    with open(path, "wb") as f:
        write_po(f, catalog, width=0, omit_header=False)
    print(f"{path}: filled {filled} entries")


if __name__ == "__main__":
    main(sys.argv[1])
