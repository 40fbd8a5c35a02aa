"""An HTTP server on 127.0.0.1, on a free port, in a thread: the base of the
fake provider servers the tests talk to."""
import threading
from http.server import ThreadingHTTPServer


class LoopbackServer:
    """Subclasses give the request handler class (``_handler_class``)."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _handler_class(self):
        raise NotImplementedError

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
