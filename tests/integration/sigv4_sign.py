"""A small SigV4 signer for tests that must send what SDKs will not: bodies that differ
from their declared hash, skewed dates, presigned URLs from the past, signed aws-chunked
uploads. Written from the specification; standard library only."""
import datetime
import hashlib
import hmac
import urllib.parse

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def amz_date(when):
    return when.strftime("%Y%m%dT%H%M%SZ")


def _key(secret, date8, region, service):
    k = ("AWS4" + secret).encode()
    for part in (date8, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def _sign(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _canonical_query(query):
    pairs = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in query.split("&") if p]
    enc = lambda s: urllib.parse.quote(urllib.parse.unquote(s), safe="-_.~")
    return "&".join("%s=%s" % kv for kv in sorted((enc(k), enc(v)) for k, v in pairs))


class Signer:
    def __init__(self, key, secret, service, region="us-east-1", when=None):
        self.key, self.secret, self.service, self.region = key, secret, service, region
        self.when = when or datetime.datetime.now(datetime.timezone.utc)
        self.date = amz_date(self.when)
        self.scope = "%s/%s/%s/aws4_request" % (self.date[:8], region, service)
        self.signing_key = _key(secret, self.date[:8], region, service)

    def _string_to_sign(self, method, path, query, headers, payload_hash):
        names = sorted(headers)
        creq = "\n".join([method, path, _canonical_query(query),
                          "".join("%s:%s\n" % (n, " ".join(headers[n].split())) for n in names),
                          ";".join(names), payload_hash])
        sts = "\n".join(["AWS4-HMAC-SHA256", self.date, self.scope, hashlib.sha256(creq.encode()).hexdigest()])
        return sts, ";".join(names)

    def headers(self, method, path, host, payload_hash, extra=None, query=""):
        """The headers of a header-signed request (every header given is signed)."""
        h = {"host": host, "x-amz-date": self.date}
        if self.service == "s3":
            h["x-amz-content-sha256"] = payload_hash
        h.update({k.lower(): v for k, v in (extra or {}).items()})
        sts, signed = self._string_to_sign(method, path, query, h, payload_hash)
        self.seed = _sign(self.signing_key, sts)
        h["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
            self.key, self.scope, signed, self.seed)
        return h

    def presign(self, method, path, host, expires):
        q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s&X-Amz-Expires=%d" \
            "&X-Amz-SignedHeaders=host" % (urllib.parse.quote(self.key + "/" + self.scope, safe=""), self.date,
                                           expires)
        sts, _ = self._string_to_sign(method, path, q, {"host": host}, "UNSIGNED-PAYLOAD")
        return "%s?%s&X-Amz-Signature=%s" % (path, q, _sign(self.signing_key, sts))

    def chunked(self, data, chunk_size=65536, tamper_chunk=None):
        """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, chained from the last seed."""
        prev, out = self.seed, b""
        pieces = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
        for n, piece in enumerate(pieces):
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", self.date, self.scope, prev, EMPTY_SHA256,
                             hashlib.sha256(piece).hexdigest()])
            sig = _sign(self.signing_key, sts)
            prev = sig
            if n == tamper_chunk:
                sig = "0" * 64
            out += b"%x;chunk-signature=%s\r\n%s\r\n" % (len(piece), sig.encode(), piece)
        return out
