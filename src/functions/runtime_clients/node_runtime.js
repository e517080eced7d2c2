// sluice's Lambda runtime client for nodejs functions: Node's standard library only.
// It speaks the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, loads the handler once
// (the init phase) and runs one invocation at a time, as Lambda does.
'use strict';
const http = require('http');
const path = require('path');
const fs = require('fs');

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const slash = api.indexOf('/');
const hostPort = slash < 0 ? api : api.slice(0, slash);
const prefix = (slash < 0 ? '' : api.slice(slash)) + '/2018-06-01/runtime';
const [host, port] = hostPort.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: prefix + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorBody(err, type) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: type || e.name || 'Error',
    errorMessage: e.message,
    trace: typeof e.stack === 'string' ? e.stack.split('\n') : [],
  };
}

async function initError(body) {
  console.error(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(body)}`);
  await request('POST', '/init/error', JSON.stringify(body),
    { 'Lambda-Runtime-Function-Error-Type': body.errorType, 'Content-Type': 'application/json' });
  process.exit(1);
}

async function loadHandler() {
  const handler = process.env._HANDLER || '';
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = handler.lastIndexOf('.');
  if (dot < 0) {
    return initError({ errorType: 'Runtime.MalformedHandlerName', errorMessage: `Bad handler ${handler}`, trace: [] });
  }
  const modulePath = handler.slice(0, dot);
  const fnName = handler.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  let mod;
  try {
    const candidates = ['.js', '.cjs', '.mjs'].map((ext) => base + ext).filter((f) => fs.existsSync(f));
    if (candidates.length === 0) {
      const e = new Error(`Cannot find module '${modulePath}'`);
      e.name = 'Runtime.ImportModuleError';
      throw e;
    }
    const file = candidates[0];
    if (file.endsWith('.mjs')) {
      mod = await import('file://' + file);
    } else {
      mod = require(file);
    }
  } catch (e) {
    return initError(errorBody(e, 'Runtime.ImportModuleError'));
  }
  const fn = mod[fnName] || (mod.default && mod.default[fnName]);
  if (typeof fn !== 'function') {
    return initError({ errorType: 'Runtime.HandlerNotFound', errorMessage: `${handler} is undefined or not exported`, trace: [] });
  }
  return fn;
}

function invokeHandler(fn, event, context) {
  // Callback-style handlers (three parameters) and async ones alike.
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    try {
      const r = fn(event, context, callback);
      if (r && typeof r.then === 'function') r.then(resolve, reject);
      else if (fn.length < 3) resolve(r);
    } catch (e) {
      reject(e);
    }
  });
}

async function main() {
  const fn = await loadHandler();
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) process.exit(0);
    const id = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms'] || 0);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let result;
    try {
      const event = next.body ? JSON.parse(next.body) : null;
      result = await invokeHandler(fn, event, context);
    } catch (e) {
      const body = errorBody(e);
      console.error(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(body)}`);
      await request('POST', `/invocation/${id}/error`, JSON.stringify(body),
        { 'Lambda-Runtime-Function-Error-Type': body.errorType, 'Content-Type': 'application/json' });
      continue;
    }
    const payload = result === undefined ? 'null' : JSON.stringify(result);
    await request('POST', `/invocation/${id}/response`, payload, { 'Content-Type': 'application/json' });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
