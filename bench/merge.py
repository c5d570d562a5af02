"""The merge of a job's shards on a local disk, streamed through the process (the way before
the kernel's copy) and copied by the kernel: wall time, CPU time and read calls of each.

Shards of ``--mb`` megabytes in all are made once (rows of about 100 bytes, csv or json), then
each way merges them in a child process of its own, alternately, ``--repeat`` times; the table
shows each way's fastest run. "streamed, rows counted" is the streamed merge of shards whose
writer's sizes are not known, so their lines are counted first.

With ``--s3`` the shards are put in a bucket of moto's S3 server on 127.0.0.1 instead, and the
merge streamed through the process is timed against the one made of server-side part copies
(wall time only: the server runs in this process; moto is not S3, so only the ratio means
anything).

    python bench/merge.py [--mb 2048] [--shards 16] [--format csv] [--repeat 2] [--s3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.merge import ShardFile, merge_files

WAYS = ("streamed", "streamed, rows counted", "kernel copy")
ROW = 100  # bytes of a csv row, its line break included


def make_shards(folder: Path, fmt: str, total: int, count: int) -> list[ShardFile]:
    """``count`` shards of ``total`` bytes in all, from one block of random rows repeated."""
    rng = np.random.default_rng(1)
    rows = (1 << 20) // ROW
    letters = rng.integers(97, 123, size=(rows, ROW - 1), dtype=np.uint8)
    lines = [bytes(row) for row in letters]
    joint = b",\n" if fmt == "json" else b"\n"
    block = joint.join(b'{"a":"' + line[:-8] + b'"}' if fmt == "json" else line for line in lines)
    repeats = max(1, total // count // len(block))
    shards = []
    for i in range(count):
        path = folder / f"{i:06d}.{fmt}"
        with path.open("wb") as out:
            if fmt == "csv" and i == 0:
                out.write(b"code\n")  # the header, only in the first shard
            for r in range(repeats):
                out.write(block + (joint if fmt != "json" or r < repeats - 1 else b""))
        shards.append(ShardFile(str(path), rows * repeats, path.stat().st_size))
    return shards


def child(way: str, fmt: str, folder: str) -> None:
    import fsspec

    shards = [ShardFile(**s) for s in json.loads(Path(folder, "shards.json").read_text())]
    if way == "streamed, rows counted":
        shards = [ShardFile(s.path, s.rows) for s in shards]
    before, cpu = _io(), resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    merge_files(
        fmt, fsspec.filesystem("file"), shards, f"{folder}/out.{fmt}", stream="streamed" in way
    )
    seconds = time.perf_counter() - began
    after = _io()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "user": usage.ru_utime - cpu.ru_utime,
                "system": usage.ru_stime - cpu.ru_stime,
                "reads": after["syscr"] - before["syscr"],
            }
        )
    )


def _io() -> dict[str, int]:
    lines = Path("/proc/self/io").read_text().splitlines()
    return {name: int(value) for name, value in (line.split(": ") for line in lines)}


def run(way: str, fmt: str, folder: str) -> dict[str, float]:
    os.sync()  # the last run's output is on disk before this one starts
    command = [sys.executable, __file__, "--child", way, "--format", fmt, "--folder", folder]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    out = done.stdout
    Path(folder, f"out.{fmt}").unlink()
    result: dict[str, float] = json.loads(out)
    return result


def s3_table(fmt: str, shards: list[ShardFile], repeat: int) -> dict[str, float]:
    """The fastest merge of ``shards`` put on moto's S3 server, streamed and part-copied."""
    import logging

    import s3fs
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        fs = s3fs.S3FileSystem(endpoint_url=f"http://{host}:{port}", skip_instance_cache=True)
        fs.mkdir("bench")
        remote = []
        for shard in shards:
            key = f"bench/{Path(shard.path).name}"
            fs.put_file(shard.path, key)
            remote.append(ShardFile(key, shard.rows, shard.size))
        best: dict[str, float] = {}
        for _ in range(repeat):
            for way in ("streamed", "part copies"):
                began = time.perf_counter()
                merge_files(fmt, fs, remote, f"bench/out.{fmt}", stream=way == "streamed")
                seconds = time.perf_counter() - began
                fs.rm(f"bench/out.{fmt}")
                best[way] = min(best.get(way, seconds), seconds)
        return best
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=2048, help="megabytes of shards in all")
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--s3", action="store_true", help="on moto's S3 server")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.format, args.folder)
        return
    with tempfile.TemporaryDirectory() as folder:
        shards = make_shards(Path(folder), args.format, args.mb << 20, args.shards)
        size = sum(s.size or 0 for s in shards)
        if args.s3:
            fastest = s3_table(args.format, shards, args.repeat)
            print(f"{args.format} on S3 (moto): {size / 1e6:,.0f} MB in {args.shards} shards")
            print(f"{'way':24} {'seconds':>8} {'x streamed':>10}")
            for way, seconds in fastest.items():
                print(f"{way:24} {seconds:>8.2f} {seconds / fastest['streamed']:>10.2f}")
            return
        Path(folder, "shards.json").write_text(json.dumps([s.__dict__ for s in shards]))
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):
            for way in WAYS:
                result = run(way, args.format, folder)
                if way not in best or result["seconds"] < best[way]["seconds"]:
                    best[way] = result
    base = best["streamed"]["seconds"]
    print(f"{args.format}: {size / 1e6:,.0f} MB in {args.shards} shards, fastest of {args.repeat}")
    print(
        f"{'way':24} {'seconds':>8} {'x streamed':>10} {'user s':>7} {'system s':>8} {'reads':>7}"
    )
    for way in WAYS:
        r = best[way]
        print(
            f"{way:24} {r['seconds']:>8.2f} {r['seconds'] / base:>10.2f} "
            f"{r['user']:>7.2f} {r['system']:>8.2f} {r['reads']:>7,.0f}"
        )


if __name__ == "__main__":
    main()
