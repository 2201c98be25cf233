#!/usr/bin/env python3
"""Refuses a Python wheel that a user could not use.

The wheel carries the npm package that jsii's Python runtime loads into its Node.js kernel
(`<module>/_jsii/<name>@<version>.jsii.tgz`): that tarball must hold everything the npm package
must (every Lambda handler's bundled `assets/<handler>/index.js`, the jsii output, the bundled
dependencies), so it is checked by the same script as the npm tarball, scripts/check-package.mjs.
The README shipped as the wheel's description must show Python, not TypeScript labelled as Python
(what pacmak writes when no rosetta translation exists).

    python3 scripts/check-wheel.py dist/python
"""
import email
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def fail(message: str) -> None:
    print(f"check-wheel: {message}", file=sys.stderr)
    sys.exit(1)


def main(outdir: str) -> None:
    wheels = sorted(Path(outdir).glob("*.whl"))
    if len(wheels) != 1:
        fail(f"expected one .whl in {outdir}, found {len(wheels)}")
    wheel = wheels[0]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        embedded = [name for name in names if re.fullmatch(r"[a-z0-9_]+/_jsii/.+\.jsii\.tgz", name)]
        if len(embedded) != 1:
            fail(f"{wheel} holds {len(embedded)} embedded jsii tarballs, expected one: {embedded}")
        metadata_name = next((name for name in names if name.endswith(".dist-info/METADATA")), None)
        if metadata_name is None:
            fail(f"{wheel} has no METADATA")
        metadata = email.message_from_bytes(archive.read(metadata_name))
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / "package.tgz").write_bytes(archive.read(embedded[0]))
            # Same required entries as the npm tarball (handlers from src/, bundled dependencies).
            checked = subprocess.run(["node", "scripts/check-package.mjs", scratch])
            if checked.returncode != 0:
                fail(f"the npm package inside {wheel} ({embedded[0]}) is not whole")

    readme = metadata.get_payload()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    if not blocks:
        fail(f"{wheel}'s description has no Python code block: was the README translated?")
    typescript = [block for block in blocks if re.search(r"^(import \{|import \* as|const |new )", block, re.M)]
    if typescript:
        fail(f"{len(typescript)} of {len(blocks)} Python blocks in {wheel}'s description are TypeScript:\n{typescript[0]}")
    print(f"{wheel}: embedded npm package whole; {len(blocks)} README code blocks in Python")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dist/python")
