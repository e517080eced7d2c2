-- wrk script: POST the body in $BODY_FILE to the target in $TARGET with the headers an
-- AWS SDK sends, counting answers that are not 200 or report failed records.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local target = os.getenv("TARGET")
local service = target:find("^Firehose") and "firehose" or "kinesis"
wrk.method = "POST"
wrk.path = "/"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = target
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/" .. service ..
  "/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, " ..
  "Signature=0000000000000000000000000000000000000000000000000000000000000000"

local failures = 0
response = function(status, headers, body)
  if status ~= 200 or not (string.find(body, '"FailedRecordCount":0', 1, true) or
                           string.find(body, '"FailedPutCount":0', 1, true)) then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors=%d non200_or_failed_records=%d\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, failures))
end
