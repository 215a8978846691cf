"""Current feeds answered before Flask builds a request.

A feed this worker holds costs microseconds; Flask's per-request machinery (session, login, rate limiter,
security headers) costs several times more. Subscribers poll the same few URLs over and over, so this WSGI
middleware replays the answer the app itself gave for the same URL and the same feed: its status line and
every header Flask sent (validators, CORS, security headers, Content-Length), with the held body, when the
store's generation is still the one it was built at: on PostgreSQL as the database announced it (a thread per
worker listens; a change committed anywhere is known within milliseconds, one made by this process at once),
elsewhere by asking the database (one row) on each request. Anything else goes through Flask, which answers
and is recorded for next time: an unknown URL, a feed changed since, a request with cookies, a status not
answered yet for this URL.

When the database cannot be reached, the held answer is replayed as it is.
"""
from sqlalchemy.exc import DBAPIError

from ..outage import is_outage
from .cache import FeedCache, not_modified

#: set by the feed views on the WSGI environ: (cache key, CachedFeed) of the feed they answered with
SERVED_FEED = "calendar.served_feed"
#: everything about a request that can change a feed's answer, besides the validators
_ROUTE = ("wsgi.url_scheme", "HTTP_HOST", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "SCRIPT_NAME",
          "PATH_INFO", "QUERY_STRING")
#: what a recorded answer (a few headers) counts for in the cache's budget
_ANSWER_SIZE = 1000


class FeedFastPath:
    def __init__(self, wsgi_app, cache: FeedCache):
        self.wsgi_app = wsgi_app
        self.cache = cache

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or "HTTP_COOKIE" in environ:
            return self.wsgi_app(environ, start_response)
        route = ("route", *(environ.get(name) for name in _ROUTE))
        recorded = self.cache.items.get(route)
        if recorded is not None:
            key, etag, answers = recorded
            feed = self.cache.current(key, self._generation())
            if feed is not None and feed.etag == etag:
                status = 304 if not_modified(feed, environ.get("HTTP_IF_NONE_MATCH"),
                                             environ.get("HTTP_IF_MODIFIED_SINCE")) else 200
                answer = answers.get(status)
                if answer is not None:
                    start_response(answer[0], list(answer[1]))
                    return [feed.body] if status == 200 and method == "GET" else []

        def recording_start_response(status, headers, exc_info=None):
            served = environ.get(SERVED_FEED)
            if served is not None and exc_info is None and status[:3] in ("200", "304"):
                key, feed = served
                known = self.cache.items.get(route)
                answers = known[2] if known is not None and known[:2] == (key, feed.etag) else {}
                answers[int(status[:3])] = (status, list(headers))
                self.cache.items.put(route, (key, feed.etag, answers), _ANSWER_SIZE)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, recording_start_response)

    def _generation(self) -> int | None:
        """The store's generation (as announced, or asked); None (any feed held will do) when the database is
        out of reach."""
        known = self.cache.known_generation()
        if known is not None:
            return known
        try:
            return self.cache.peek_generation()
        except DBAPIError as error:
            if is_outage(error):
                return None
            raise
