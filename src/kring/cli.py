"""The `kring` console command: what an operator needs, in one place.

    kring serve [--demo] [--host H] [--port P] [--workers N] [--no-worker]
    kring worker               run background tasks (e-mail, reminders, PDFs)
    kring demo [--scale N]     load demo data (idempotent), or generate N cases for benchmarks
    kring migrate              apply database migrations
    kring bench NAME [ARGS]    run a benchmark (the command bench_NAME)
    kring backup [FILE]        consistent snapshot (SQLite backup API or pg_dump)
    kring restore FILE         replace the database with a snapshot
    kring manage ARGS...       any Django management command
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys


def _django(settings: str = "kring.settings") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django

    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def prepare_database() -> None:
    """Migrate and create the cache table; safe to run at every start."""
    _call("migrate", "--noinput", "-v", "0")
    _call("createcachetable", "-v", "0")


def cmd_serve(opts: argparse.Namespace) -> int:
    if opts.demo:
        os.environ["KRING_DEMO"] = "1"
    _django()
    prepare_database()
    if opts.demo:
        _call("demo")
    _call("collectstatic", "--noinput", "-v", "0")
    worker = None
    if not opts.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "kring.cli", "worker"], env=os.environ.copy())
    bind = f"{opts.host}:{opts.port}"
    print(f"Kring is running at http://{'localhost' if opts.host in ('127.0.0.1', '0.0.0.0') else opts.host}:{opts.port}/  (Ctrl+C stops it)", flush=True)  # noqa: S104
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = [
        "gunicorn", "kring.wsgi:application", "--bind", bind, "--workers", str(opts.workers),
        "--config", "python:kring.gunicorn_conf",
        "--access-logfile", "-", "--graceful-timeout", "10",
        # Access logs must not hold personal data: paths carry ids only, never names.
        "--access-logformat", '%(t)s "%(m)s %(U)s" %(s)s %(L)ss',
    ]
    try:
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
    return 0


def cmd_worker(opts: argparse.Namespace) -> int:
    """django-tasks' db_worker, with the follow-up reminder loop and the dashboard figures loop
    in threads next to it.

    The reminder loop (`kring.followup.dispatch`) sends due reminders every few
    seconds; the figures loop (`kring.reports.refresh`) brings the dashboard summaries
    up to date every minute. Both stop with the worker (SIGTERM), and a killed worker leaves
    nothing that a restarted one does not pick up. `--batch` does what is due once.
    """
    _django()
    from kring.followup.dispatch import send_due_reminders, start_in_thread
    from kring.reports import refresh as figures

    args = ["db_worker", "--interval", str(opts.interval)]
    if opts.batch:
        send_due_reminders()
        figures.refresh()
        args.append("--batch")
        _call(*args)
        return 0
    threads = [start_in_thread(), figures.start_in_thread()]
    try:
        _call(*args)
    finally:
        for _thread, stop in threads:
            stop.set()
        for thread, _stop in threads:
            thread.join(timeout=30)
    return 0


def cmd_demo(opts: argparse.Namespace) -> int:
    os.environ.setdefault("KRING_DEMO", "1")
    _django()
    prepare_database()
    args = [*(["--scale", str(opts.scale)] if opts.scale is not None else []),
            *(["--seed", str(opts.seed)] if opts.seed is not None else []),
            *(["--append"] if opts.append else []), *(["--no-analyze"] if opts.no_analyze else [])]
    _call("demo", *args)
    return 0


def cmd_migrate(opts: argparse.Namespace) -> int:
    _django()
    prepare_database()
    return 0


def cmd_bench(opts: argparse.Namespace) -> int:
    """`kring bench NAME ARGS...` runs the management command `bench_NAME`."""
    _django()
    from django.core.management import call_command, get_commands

    command = f"bench_{opts.name}"
    if command not in get_commands():
        names = sorted(c[len("bench_"):] for c in get_commands() if c.startswith("bench_"))
        print(f"unknown benchmark {opts.name!r}; known: {', '.join(names) or 'none'}", file=sys.stderr)
        return 2
    call_command(command, *opts.args)
    return 0


def cmd_backup(opts: argparse.Namespace) -> int:
    _django()
    _call("backup", *([opts.path] if opts.path else []))
    return 0


def cmd_restore(opts: argparse.Namespace) -> int:
    _django()
    _call("restore", opts.path, *(["--yes"] if opts.yes else []))
    return 0


def cmd_manage(opts: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kring.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kring manage", *opts.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kring", description="Kring: family group plans in youth care")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate if needed, then serve the site")
    serve.add_argument("--demo", action="store_true", help="load demo data first and show demo hints")
    serve.add_argument("--host", default=os.environ.get("KRING_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("KRING_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=2, help="web processes (default 2)")
    serve.add_argument("--no-worker", action="store_true", help="do not start a background worker")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background tasks")
    worker.add_argument("--batch", action="store_true", help="stop when the queue is empty")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="load demo data (idempotent); --scale N [--seed S] [--append]: N cases")
    demo.add_argument("--scale", type=int, metavar="N", help="generate N made-up cases (bulk, for benchmarks)")
    demo.add_argument("--seed", type=int, help="random seed for --scale")
    demo.add_argument("--append", action="store_true", help="with --scale: add to a database that holds cases")
    demo.add_argument("--no-analyze", action="store_true", help="with --scale: skip the planner statistics")
    demo.set_defaults(func=cmd_demo)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    bench = sub.add_parser("bench", help="run a benchmark and print its figures (e.g. matching)")
    bench.add_argument("name")
    bench.add_argument("args", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)

    backup = sub.add_parser("backup", help="write a consistent snapshot of the database")
    backup.add_argument("path", nargs="?")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="replace the database with a snapshot")
    restore.add_argument("path")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    opts = build_parser().parse_args(argv)
    return opts.func(opts)


if __name__ == "__main__":
    sys.exit(main())
