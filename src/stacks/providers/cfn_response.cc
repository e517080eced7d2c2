// The cfn-response module that CloudFormation adds beside a function's inline code
// (Code.ZipFile) for Python and Node.js runtimes: send(event, context, status, data,
// physical id, NoEcho[, reason]) PUTs the response object to event.ResponseURL. Written
// for sluice with each runtime's standard library only; same names and behaviour as
// the module AWS documents (Reason and PhysicalResourceId default to the log stream).
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {

const std::string_view kCfnResponsePython = R"PY(# cfnresponse: send a custom resource's response object to CloudFormation.
import json
import urllib.request

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, responseStatus, responseData, physicalResourceId=None, noEcho=False, reason=None):
    stream = getattr(context, "log_stream_name", None) or ""
    body = json.dumps({
        "Status": responseStatus,
        "Reason": reason or "See the details in CloudWatch Log Stream: " + stream,
        "PhysicalResourceId": physicalResourceId or stream,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": noEcho,
        "Data": responseData,
    }).encode("utf-8")
    print("Response body:")
    print(body.decode("utf-8"))
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            print("Status code:", response.status)
    except Exception as e:  # as AWS's module does: the failure is logged, not raised
        print("send(..) failed executing request:", e)
)PY";

const std::string_view kCfnResponseNode = R"JS(// cfn-response: send a custom resource's response object to CloudFormation.
'use strict';
const http = require('http');
const https = require('https');

exports.SUCCESS = 'SUCCESS';
exports.FAILED = 'FAILED';

exports.send = function (event, context, responseStatus, responseData, physicalResourceId, noEcho, reason) {
  return new Promise((resolve) => {
    const stream = (context && context.logStreamName) || '';
    const body = JSON.stringify({
      Status: responseStatus,
      Reason: reason || 'See the details in CloudWatch Log Stream: ' + stream,
      PhysicalResourceId: physicalResourceId || stream,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false,
      Data: responseData,
    });
    console.log('Response body:\n', body);
    const url = new URL(event.ResponseURL);
    const client = url.protocol === 'https:' ? https : http;
    const finish = () => {
      if (context && typeof context.done === 'function') context.done();
      resolve();
    };
    const request = client.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      console.log('Status code: ' + response.statusCode);
      response.resume();
      response.on('end', finish);
    });
    request.on('error', (error) => {
      console.log('send(..) failed executing request: ' + error);
      finish();
    });
    request.write(body);
    request.end();
  });
};
)JS";

}  // namespace sluice::stacks::providers
