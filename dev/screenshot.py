#!/usr/bin/env python3
"""Screenshot pages of a running Odoo in headless Chromium, logged in.

Usage: dev/screenshot.py URL OUT.png [--login admin --password admin]
       [--width 1440 --height 900] [--wait 3] [--dismiss CSS]... [--click CSS | --click CSS::TEXT]...

``--click CSS::TEXT`` types TEXT in the field CSS instead of clicking it.

Run with the project's virtualenv (it needs websocket-client).
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from urllib.parse import urlsplit

import websocket


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(answer["error"])
                return answer.get("result", {})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                         returnByValue=True).get("result", {}).get("value")

    def wait_for(self, selector, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{selector} did not appear")

    def act(self, step):
        """Click CSS, or with ``CSS::TEXT`` type TEXT in that field as a user does."""
        selector, typed, text = step.partition("::")
        self.wait_for(selector)
        if typed:
            self.evaluate(f"""(() => {{ const input = document.querySelector({json.dumps(selector)});
                input.focus(); input.value = {json.dumps(text)};
                input.dispatchEvent(new Event("input", {{ bubbles: true }})); }})()""")
        else:
            self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--wait-for", default=".o_action_manager .o_view_controller, .o_action_manager > div")
    parser.add_argument("--click", action="append", default=[])
    parser.add_argument("--dismiss", action="append", default=[],
                        help="clicked if it appears within a few seconds (pop-ups)")
    parser.add_argument("--wait", type=float, default=1.5)
    args = parser.parse_args()

    chrome = shutil.which("chromium") or shutil.which("google-chrome")
    profile = tempfile.mkdtemp()
    port = 9333
    proc = subprocess.Popen([
        chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
        f"--window-size={args.width},{args.height}", "about:blank",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _i in range(50):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                break
            except OSError:
                time.sleep(0.2)
        page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=args.width, height=args.height,
                  deviceScaleFactor=1, mobile=args.width < 768)
        base = "{0.scheme}://{0.netloc}".format(urlsplit(args.url))
        page.call("Page.navigate", url=f"{base}/web/login")
        page.wait_for("input[name=login]")
        page.evaluate(f"""
            document.querySelector('input[name=login]').value = {json.dumps(args.login)};
            document.querySelector('input[name=password]').value = {json.dumps(args.password)};
            document.querySelector('form.oe_login_form').submit();""")
        time.sleep(2)
        page.call("Page.navigate", url=args.url)
        page.wait_for(args.wait_for)
        for selector in args.dismiss:
            try:
                page.wait_for(selector, timeout=4)
                page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
            except TimeoutError:
                pass
        for step in args.click:
            page.act(step)
            time.sleep(args.wait)
        time.sleep(args.wait)
        shot = page.call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
    finally:
        proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    main()
