// DuckDB reading the same JSON lines files as query_bench, the same two queries, timed
// the same way (the answer included), with the CPU seconds the process used. Usage: node duckdb_peer.mjs FILE_GLOB
import { DuckDBInstance } from '@duckdb/node-api';

const glob = process.argv[2];
const instance = await DuckDBInstance.create(':memory:', { threads: process.env.DUCKDB_THREADS || '2' });
const conn = await instance.connect();
const source = `read_json('${glob}', format='newline_delimited', columns={TRIP_ID: 'VARCHAR', CALL_TYPE: 'VARCHAR', TAXI_ID: 'INTEGER', TIMESTAMP: 'INTEGER', POLYLINE: 'VARCHAR'})`;
for (const [name, sql] of [
  ['count', `SELECT count(*) FROM ${source}`],
  ['group-by', `SELECT CALL_TYPE, count(*), avg(TAXI_ID) FROM ${source} GROUP BY CALL_TYPE ORDER BY CALL_TYPE`],
]) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  console.log(`duckdb ${name.padEnd(9)} ${s.toFixed(3).padStart(7)} s  ${cpuS.toFixed(2).padStart(6)} CPU s  (${rows[0][0]})`);
}
