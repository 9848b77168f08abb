"""Pre-compress a built site for static hosts: ``.gz`` and ``.br`` twins.

``make publish`` runs ``python tools/compress.py output``. For every text
file (HTML, XML feeds and sitemaps, JSON, text, CSS, JS, SVG, .eml) of at
least 1 KB it writes ``name.gz`` (gzip level 9, no name or time stamp in
the header, so the bytes are the same on every build) and ``name.br``
(Brotli quality 11) beside it, unless the result is not smaller. Each twin
gets its original's mtime, so a twin written again for an unchanged page
(an incremental build with ``DELETE_OUTPUT_DIRECTORY`` sweeps the twins,
which it did not write) looks unchanged to ``rsync`` and ``aws s3 sync``.
Twins left from an earlier run that no longer apply are removed. A web server or CDN
that supports pre-compressed files (nginx ``gzip_static``/``brotli_static``,
Caddy ``precompressed``, Apache ``MultiViews``) then serves them with
``Content-Encoding`` and the original ``Content-Type``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli

TEXT_SUFFIXES = frozenset(
    {
        ".html",
        ".htm",
        ".xml",
        ".json",
        ".txt",
        ".css",
        ".js",
        ".svg",
        ".eml",
        ".atom",
        ".rss",
    }
)
MIN_SIZE = 1024


@dataclass
class Stats:
    files: int = 0  # text files considered
    skipped: int = 0  # too small
    original: int = 0  # bytes of the files that got at least one twin
    gzip: int = 0
    brotli: int = 0
    gz_written: int = 0
    br_written: int = 0


def text_files(root: Path) -> Iterator[Path]:
    """Every compressible file under ``root``, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
            yield path


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip: level 9, mtime 0, no file name in the header."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def brotli_bytes(data: bytes) -> bytes:
    return brotli.compress(data, quality=11)


def _put(twin: Path, packed: bytes, size: int, mtime_ns: int) -> bool:
    """Write ``twin`` when ``packed`` is smaller than the original, with the
    original's mtime (``mtime_ns``)."""
    if len(packed) >= size:
        twin.unlink(missing_ok=True)
        return False
    if not twin.exists() or twin.read_bytes() != packed:
        twin.write_bytes(packed)
    os.utime(twin, ns=(twin.stat().st_atime_ns, mtime_ns))
    return True


def compress_file(path: Path, min_size: int = MIN_SIZE) -> tuple[int, int, int, int]:
    """Write the twins of one file: (size, .gz size or 0, .br size or 0, small)."""
    data = path.read_bytes()
    mtime_ns = path.stat().st_mtime_ns
    gz, br = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
    if len(data) < min_size:
        gz.unlink(missing_ok=True)
        br.unlink(missing_ok=True)
        return len(data), 0, 0, 1
    packed_gz = gzip_bytes(data)
    packed_br = brotli_bytes(data)
    gz_size = len(packed_gz) if _put(gz, packed_gz, len(data), mtime_ns) else 0
    br_size = len(packed_br) if _put(br, packed_br, len(data), mtime_ns) else 0
    return len(data), gz_size, br_size, 0


def compress_tree(root: Path, min_size: int = MIN_SIZE, jobs: int = 1) -> Stats:
    """Compress every text file under ``root`` (``jobs`` processes)."""
    paths = list(text_files(root))
    if jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(
                pool.map(compress_file, paths, [min_size] * len(paths), chunksize=16)
            )
    else:
        results = [compress_file(path, min_size) for path in paths]
    stats = Stats(files=len(paths))
    for size, gz_size, br_size, small in results:
        stats.skipped += small
        if gz_size or br_size:
            stats.original += size
            stats.gzip += gz_size or size
            stats.brotli += br_size or size
        stats.gz_written += bool(gz_size)
        stats.br_written += bool(br_size)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the built site (output/)")
    parser.add_argument(
        "--min-size",
        type=int,
        default=MIN_SIZE,
        help=f"skip files smaller than this many bytes (default {MIN_SIZE})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes to compress with (default: one per CPU)",
    )
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"compress: {args.root} is not a folder; build the site first")
        return 2
    stats = compress_tree(args.root, args.min_size, max(1, args.jobs))
    ratio_gz = stats.gzip / stats.original if stats.original else 1.0
    ratio_br = stats.brotli / stats.original if stats.original else 1.0
    print(
        f"compress: {stats.files} text files, {stats.skipped} under "
        f"{args.min_size} bytes left alone; {stats.gz_written} .gz "
        f"({ratio_gz:.0%} of {stats.original} bytes), {stats.br_written} .br "
        f"({ratio_br:.0%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
