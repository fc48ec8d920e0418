"""Extraction benchmark: our parser against a naive baseline, on the same files in the same run.

``python -m bench.extract`` generates the sample web into a temporary folder, takes some of its
text PDFs and scans of some of them (rendered, tilted and speckled as in the tests), and times:

- ``ours``: :func:`extract.parse_bytes` (pypdfium2 text, pdfplumber only on table pages; ruled
  grid + per-line recognition for scans);
- ``baseline``: pdfplumber ``extract_text`` + ``extract_tables`` on every page of a text PDF;
  full-page rapidocr (detection + classification + recognition) on every page of a scan.

Each (format, method) runs in its own subprocess, so its peak memory (``VmHWM``) is its own;
models are loaded before the clock starts; each is run ``--repeat`` times and the fastest counts. It prints a table and writes
``bench/results/extract.json``. Timings depend on the machine and on what else runs on it.

Example::

    $ python -m bench.extract --text-pdfs 12 --scans 3 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "extract.json"
FORMATS = ("pdf", "pdf_scanned")
METHODS = ("ours", "baseline")


def pick_files(out: Path, text_pdfs: int, scans: int) -> dict[str, list[str]]:
    """Generate the sample web under ``out``; return the files to read per format."""
    import sampleweb
    from bench.scans import scanned_pdf

    sampleweb.generate(out / "web")
    pdfs = sorted(
        p.with_name(p.name[: -len(".truth.json")]) for p in (out / "web").rglob("*.pdf.truth.json")
    )
    pdfs = [p for p in pdfs if p.is_file()]
    files = {"pdf": [str(p) for p in pdfs[:text_pdfs]], "pdf_scanned": []}
    # spread the scans over the list so different report layouts are scanned
    step = max(1, len(pdfs) // max(scans, 1))
    for i, src in enumerate(pdfs[::step][:scans]):
        target = out / f"scan-{i}.pdf"
        target.write_bytes(scanned_pdf(src.read_bytes(), seed=src.name))
        files["pdf_scanned"].append(str(target))
    return files


def page_count(path: str) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


# --- the work measured in a child process -----------------------------------------------------


def _ours(paths: list[str], fmt: str) -> None:
    from extract import parse_bytes

    if fmt == "pdf_scanned":
        from extract.readers import ocr

        ocr.engine()._load_rec_model()
    start = time.perf_counter()
    for path in paths:
        result = parse_bytes(Path(path).read_bytes())
        assert result["format"] == fmt, (path, result["format"])
    return time.perf_counter() - start


def _baseline_text(paths: list[str]) -> float:
    import pdfplumber

    start = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
    return time.perf_counter() - start


def _baseline_ocr(paths: list[str]) -> float:
    import numpy as np
    import pypdfium2
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "error"})
    engine(np.full((64, 256, 3), 255, np.uint8))  # loads the detection model
    engine._load_rec_model()
    engine._load_cls_model()
    start = time.perf_counter()
    for path in paths:
        pdf = pypdfium2.PdfDocument(path)
        for page in pdf:
            image = page.render(scale=200 / 72).to_pil().convert("RGB")
            engine(np.array(image))
            page.close()
        pdf.close()
    return time.perf_counter() - start


def child(fmt: str, method: str, paths: list[str]) -> dict:
    """Run one (format, method) over ``paths``: seconds and this process's peak memory."""
    if method == "ours":
        seconds = _ours(paths, fmt)
    elif fmt == "pdf":
        seconds = _baseline_text(paths)
    else:
        seconds = _baseline_ocr(paths)
    return {"seconds": seconds, "peak_mib": round(peak_kib() / 1024, 1)}


def peak_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux keeps ``ru_maxrss`` across ``exec``, so a child started from a big parent would report
    the parent's size; ``VmHWM`` belongs to the new process image alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(fmt: str, method: str, paths: list[str]) -> dict:
    cmd = [sys.executable, "-m", "bench.extract", "--child", fmt, method, *paths]
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{fmt}/{method} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the report -------------------------------------------------------------------------------


def best_of(fmt: str, method: str, paths: list[str], repeat: int) -> dict:
    """The fastest of ``repeat`` runs (others on the machine only ever slow a run down)."""
    runs = [run_child(fmt, method, paths) for _ in range(repeat)]
    return {
        "seconds": min(r["seconds"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def bench(text_pdfs: int, scans: int, repeat: int = 2) -> dict:
    rows = []
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        files = pick_files(Path(tmp), text_pdfs, scans)
        for fmt in FORMATS:
            paths = files[fmt]
            pages = sum(page_count(p) for p in paths)
            runs = {method: best_of(fmt, method, paths, repeat) for method in METHODS}
            ours, base = runs["ours"], runs["baseline"]
            rows.append(
                {
                    "format": fmt,
                    "files": len(paths),
                    "pages": pages,
                    "ours_pages_per_s": round(pages / ours["seconds"], 2),
                    "baseline_pages_per_s": round(pages / base["seconds"], 2),
                    "ratio": round(base["seconds"] / ours["seconds"], 2),
                    "ours_peak_mib": ours["peak_mib"],
                    "baseline_peak_mib": base["peak_mib"],
                    "ours_seconds": round(ours["seconds"], 2),
                    "baseline_seconds": round(base["seconds"], 2),
                }
            )
    return {
        "repeat": repeat,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "baseline": {
            "pdf": "pdfplumber extract_text + extract_tables on every page",
            "pdf_scanned": "rapidocr full page (det + cls + rec) at 200 dpi on every page",
        },
        "rows": rows,
    }


def print_table(result: dict, out=sys.stdout) -> None:
    head = (
        f"{'format':<12}{'files':>6}{'pages':>6}{'ours p/s':>10}{'base p/s':>10}"
        f"{'ratio':>8}{'ours MiB':>10}{'base MiB':>10}"
    )
    print(head, file=out)
    for r in result["rows"]:
        print(
            f"{r['format']:<12}{r['files']:>6}{r['pages']:>6}{r['ours_pages_per_s']:>10.2f}"
            f"{r['baseline_pages_per_s']:>10.2f}{r['ratio']:>7.2f}x{r['ours_peak_mib']:>10.1f}"
            f"{r['baseline_peak_mib']:>10.1f}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        fmt, method, *paths = argv[1:]
        print(json.dumps(child(fmt, method, paths)))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.extract")
    parser.add_argument("--text-pdfs", type=int, default=12, help="text PDFs to read")
    parser.add_argument("--scans", type=int, default=3, help="scanned PDFs to make and read")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measure; the best counts")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)
    result = bench(args.text_pdfs, args.scans, args.repeat)
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
