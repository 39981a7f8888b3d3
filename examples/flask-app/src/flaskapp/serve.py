"""flask-app [--bind HOST:PORT] [--workers N] [--stop-after SECONDS]: serve the app with gunicorn."""
import argparse
import os
import signal
import threading

from gunicorn.app.base import BaseApplication

from flaskapp import app


class Server(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return app


def main():
    parser = argparse.ArgumentParser(prog="flask-app")
    parser.add_argument("--bind", default="127.0.0.1:8000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stop-after", type=float, default=0, help="shut down gracefully after this many seconds (0: never)")
    args = parser.parse_args()
    if args.stop_after > 0:
        # SIGTERM to the gunicorn master: a graceful stop of it and its workers.
        timer = threading.Timer(args.stop_after, os.kill, (os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()
    Server({"bind": args.bind, "workers": args.workers, "accesslog": "-"}).run()
