"""The `hall` command line. Each subcommand lives in its own module and is imported lazily,
so `hall layout check` does not pay for Qt or zmq."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

# name -> (module, help). The module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS: dict[str, tuple[str, str]] = {
    "layout": ("hall.cli.layout", "检查与查看大厅布局 / validate and show a hall layout"),
    "demo": ("demo.app", "运行整个演示大厅 / run the whole hall with simulated devices"),
    "serve": ("hall.cli.serve", "运行中心服务 / run the hub"),
    "keys": ("hall.cli.keys", "设备密钥 / device keys: init, add, disable, enable, list"),
    "status": ("hall.cli.status", "查看运行中的中心服务 / a running hub's queues and devices"),
    "backup": ("hall.cli.backup", "在线备份数据库 / back up the database while the hub runs"),
    "restore": ("hall.cli.restore", "从备份恢复数据库 / restore the database (hub stopped)"),
    "bench": ("hall.cli.bench", "性能测试 / benchmarks"),
    "devices": ("hall.cli.devices", "设备检查 / configured devices and their health"),
    "simulate": ("hall.cli.simulate", "排队路由仿真 / the routing benchmark"),
    "report": ("hall.cli.report", "统计报表与考核 / statistics and clerk assessment"),
    "kiosk": ("kiosk.app", "取号机 / ticket kiosk"),
    "counter": ("counter.app", "窗口叫号终端 / counter client"),
    "display": ("display.app", "大厅显示屏 / hall display board"),
    "rating": ("rating.app", "评价器 / evaluation pad"),
    "manager": ("manager.app", "管理控制台 / manager console"),
    "web": ("hall.cli.web", "网上服务 / web gateway: ticket pages, ratings, browser boards"),
    "desk": ("desk.app", "服务台 / service desk"),
}


def version_text() -> str:
    """The package's version, and the protocol and database schema versions it speaks."""
    from importlib.metadata import PackageNotFoundError, version

    from hall.server.store import KNOWN_MIGRATIONS
    from hall.wire.protocol import PROTOCOL_VERSION

    try:
        package = version("yichuang")
    except PackageNotFoundError:  # run from a checkout that was never installed
        package = "(not installed)"
    return (f"hall (yichuang) {package}; protocol {PROTOCOL_VERSION}; "
            f"database schema {len(KNOWN_MIGRATIONS)} ({max(KNOWN_MIGRATIONS)})")  # fmt: skip


class _Version(argparse.Action):
    """--version, worked out only when asked (it imports the protocol and the store)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kw: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version, the protocol and database schema versions")  # fmt: skip

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(version_text())
        parser.exit()


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hall", description="一窗 Yichuang service hall")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        # Only import the module the user asked for (or all of them for --help).
        if wanted == name or (wanted is None and "--version" not in argv):
            mod = importlib.import_module(module)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    from hall.cli import logs

    logs.setup(verbose=args.verbose)
    if args.command is None:
        parser.print_help()
        return 2
    run: Callable[[argparse.Namespace], int] = args._run
    try:
        rc = int(run(args) or 0)
        sys.stdout.flush()  # here, not at exit: a closed pipe must raise where it is caught
        return rc
    except BrokenPipeError:
        # `hall status | head`: the reader left. Quietly, as other command-line tools do;
        # stdout goes to /dev/null so that flushing it at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for such a pipeline


if __name__ == "__main__":
    sys.exit(main())
