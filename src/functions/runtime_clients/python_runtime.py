# sluice's Lambda runtime client for python3.x functions: the standard library only.
# It speaks the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, imports the handler once
# (the init phase) and runs it on the main thread for each invocation, as Lambda does.
#
# Start-up time is a cold start's: the client imports only what every invocation needs
# (json, and the C socket module: HTTP/1.1 over a kept-alive connection is a few lines
# here, where http.client would import the email package); traceback is imported when
# an error is reported.
import _socket
import importlib
import json
import os
import sys
import time

_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
_HOST, _, _PREFIX = _API.partition("/")
_PREFIX = ("/" + _PREFIX if _PREFIX else "") + "/2018-06-01/runtime"
_conn = None


class _Connection(object):
    """One kept-alive HTTP/1.1 connection to the runtime API."""

    def __init__(self, host_port):
        host, _, port = host_port.rpartition(":")
        self.sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        try:
            self.sock.connect((host, int(port)))
            self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        except BaseException:
            self.sock.close()
            raise
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the runtime API closed the connection")
        self.buf += data

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line, self.buf = self.buf[:end], self.buf[end + 2:]
                return line
            self._fill()

    def _exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def request(self, method, path, body, headers):
        if isinstance(body, str):
            body = body.encode("utf-8")
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, path, _HOST, len(body))
        for name, value in headers.items():
            head += "%s: %s\r\n" % (name, value)
        self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        status = int(self._line().split(None, 2)[1])
        fields = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                chunks.append(self._exactly(size))
                self._exactly(2)
            data = b"".join(chunks)
        else:
            data = self._exactly(int(fields.get("content-length", "0")))
        return status, fields, data


def _request(method, path, body=b"", headers=None):
    """(status, lower-cased header fields, body) of one request; reconnects once."""
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            _conn = _Connection(_HOST)
        try:
            return _conn.request(method, _PREFIX + path, body, headers or {})
        except (OSError, ValueError, IndexError):
            _conn.close()
            _conn = None
            if attempt:
                raise
    raise RuntimeError("unreachable")


def _trace(tb):
    import traceback
    return traceback.format_list(traceback.extract_tb(tb))


def _error_body(exc, error_type=None, with_trace=True):
    tb = _trace(exc.__traceback__) if with_trace else []
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": tb,
    }


def _log_error(body):
    sys.stdout.flush()
    line = "[ERROR] %s: %s" % (body["errorType"], body["errorMessage"])
    if body.get("stackTrace"):
        line += "\nTraceback (most recent call last):\n" + "".join(body["stackTrace"])
    print(line, file=sys.stderr, flush=True)


def _point_boto3_at_sluice():
    # botocore reads AWS_ENDPOINT_URL itself from 1.31 on; older ones (Debian 12's) do
    # not, so their clients get it here: the first time botocore.session is imported,
    # Session.create_client learns a default endpoint_url.
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return

    def patch(module):
        try:
            from botocore import configprovider
            if "endpoint_url" in getattr(configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {}):
                return  # this botocore honours AWS_ENDPOINT_URL
        except ImportError:
            pass
        original = module.Session.create_client

        def create_client(self, service_name, *args, **kwargs):
            if kwargs.get("endpoint_url") is None and len(args) < 4:
                key = "AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_")
                kwargs["endpoint_url"] = os.environ.get(key, endpoint)
            return original(self, service_name, *args, **kwargs)

        module.Session.create_client = create_client

    class Finder(object):  # a meta path finder (importlib.abc would cost an import)
        def find_spec(self, name, path, target=None):
            if name != "botocore.session":
                return None
            for finder in sys.meta_path:
                if finder is self:
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    loader = spec.loader
                    exec_module = loader.exec_module

                    def exec_and_patch(module):
                        exec_module(module)
                        patch(module)

                    loader.exec_module = exec_and_patch
                    return spec
            return None

    sys.meta_path.insert(0, Finder())


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, function_arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.client_context = None
        self.identity = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


def _init_error(body):
    _log_error(body)
    _request("POST", "/init/error", json.dumps(body),
             {"Lambda-Runtime-Function-Error-Type": body["errorType"], "Content-Type": "application/json"})
    sys.exit(1)


def _load_handler():
    handler = os.environ.get("_HANDLER", "")
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        _init_error({"errorMessage": "Bad handler '%s': %s" % (handler, e),
                     "errorType": "Runtime.MalformedHandlerName", "requestId": "", "stackTrace": []})
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        _init_error({"errorMessage": "Unable to import module '%s': %s" % (module_name, e),
                     "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []})
    except SyntaxError as e:
        _init_error({"errorMessage": "Syntax error in module '%s': %s" % (module_name, e),
                     "errorType": "Runtime.UserCodeSyntaxError", "requestId": "",
                     "stackTrace": _trace(e.__traceback__)})
    except Exception as e:
        _init_error(_error_body(e))
    fn = getattr(module, function_name, None)
    if fn is None:
        _init_error({"errorMessage": "Handler '%s' missing on module '%s'" % (function_name, module_name),
                     "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})
    return fn


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    _point_boto3_at_sluice()
    handler = _load_handler()
    while True:
        status, fields, body = _request("GET", "/invocation/next")
        if status != 200:
            sys.exit(0)  # sluice retired this process
        request_id = fields.get("lambda-runtime-aws-request-id")
        deadline = int(fields.get("lambda-runtime-deadline-ms", "0"))
        arn = fields.get("lambda-runtime-invoked-function-arn")
        context = LambdaContext(request_id, deadline, arn)
        try:
            event = json.loads(body) if body else None
            result = handler(event, context)
            try:
                payload = json.dumps(result)
            except (TypeError, ValueError) as e:
                raise _MarshalError("Unable to marshal response: %s" % e) from None
        except _MarshalError as e:
            err = {"errorMessage": str(e), "errorType": "Runtime.MarshalError", "requestId": request_id,
                   "stackTrace": []}
            _post_error(request_id, err)
            continue
        except Exception as e:
            err = _error_body(e)
            err["requestId"] = request_id
            # The runtime's own frame is not the user's: drop it, as Lambda does.
            err["stackTrace"] = err["stackTrace"][1:]
            _post_error(request_id, err)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        _request("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})


class _MarshalError(Exception):
    pass


def _post_error(request_id, err):
    _log_error(err)
    _request("POST", "/invocation/%s/error" % request_id, json.dumps(err),
             {"Lambda-Runtime-Function-Error-Type": err["errorType"], "Content-Type": "application/json"})


if __name__ == "__main__":
    main()
