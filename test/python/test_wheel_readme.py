"""The README a Python user reads on PyPI (the wheel's METADATA) shows Python, not TypeScript.

jsii-pacmak translates the README's ```ts examples with the tablet jsii-rosetta writes; when the
tablet is missing it copies them verbatim under a python fence."""
import glob
import re
import zipfile

from conftest import ROOT

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)

# Line-level marks of TypeScript that a Python translation never has (comments are skipped).
TYPESCRIPT = [
    (re.compile(r"^\s*(declare\s+)?(const|let|var)\s+\w+"), "const/let declaration"),
    (re.compile(r"\bnew\s+[A-Za-z_][\w.]*\s*\("), "`new` constructor call"),
    (re.compile(r"=>"), "arrow function"),
    (re.compile(r";\s*$"), "line ending in `;`"),
    (re.compile(r"\bthis\."), "`this.`"),
    (re.compile(r"^\s*import\s*[{*]|^\s*import .* from '"), "ES import"),
    (re.compile(r"\w\??:\s+(string|number|boolean|any)\b"), "type annotation"),
    (re.compile(r"\w+\?\s*:"), "optional property"),
]


def typescript_in(code: str) -> list:
    found = []
    for line in code.splitlines():
        if line.lstrip().startswith("#"):
            continue
        found += [f"{why}: {line.strip()}" for pattern, why in TYPESCRIPT if pattern.search(line)]
    return found


def wheel_readme() -> str:
    (wheel,) = glob.glob(str(ROOT / "dist" / "python" / "*.whl"))
    with zipfile.ZipFile(wheel) as whl:
        (metadata,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
        return whl.read(metadata).decode("utf-8")


def blocks(markdown: str, *languages: str) -> list:
    return [code for lang, code in FENCE.findall(markdown) if lang in languages]


def test_the_check_flags_the_readme_typescript_examples():
    # The check itself must be able to fail: every TypeScript example of the README trips it.
    typescript = blocks((ROOT / "README.md").read_text(encoding="utf-8"), "ts", "typescript")
    assert typescript
    for code in typescript:
        assert typescript_in(code), code


def test_every_typescript_example_is_translated_in_the_wheel_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    metadata = wheel_readme()
    assert blocks(metadata, "ts", "typescript") == []
    expected = len(blocks(readme, "ts", "typescript")) + len(blocks(readme, "python"))
    assert len(blocks(metadata, "python")) == expected


def test_python_blocks_in_the_wheel_readme_contain_no_typescript():
    python_blocks = blocks(wheel_readme(), "python")
    assert python_blocks
    offenders = {i: found for i, code in enumerate(python_blocks) if (found := typescript_in(code))}
    assert offenders == {}, "\n\n".join(f"python block {i}:\n" + "\n".join(f) for i, f in offenders.items())
