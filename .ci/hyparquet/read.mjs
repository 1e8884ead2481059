// Reads a Parquet file with hyparquet, an implementation independent of the one expctl
// writes with, and prints it as JSON for the Go tests: the schema's leaf columns (name,
// physical type, logical or converted type, repetition) and every row, each value tagged
// with the JavaScript type it decoded to: {"i": "12"} (BigInt), {"f": 0.5} (number; "inf",
// "-inf" or "nan" for the non-finite), {"s": "text"}, {"b": true}, or null.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'

const file = await asyncBufferFromFile(process.argv[2])
const metadata = await parquetMetadataAsync(file)
const columns = metadata.schema.slice(1).map(e => ({
  name: e.name,
  type: e.type,
  logical: e.logical_type ? e.logical_type.type : (e.converted_type || ''),
  repetition: e.repetition_type,
}))
const objects = await parquetReadObjects({ file, metadata, rowFormat: 'object' })
const tag = v => {
  if (v === null || v === undefined) return null
  switch (typeof v) {
    case 'bigint': return { i: v.toString() }
    case 'number':
      if (Number.isNaN(v)) return { f: 'nan' }
      if (v === Infinity) return { f: 'inf' }
      if (v === -Infinity) return { f: '-inf' }
      return { f: v }
    case 'string': return { s: v }
    case 'boolean': return { b: v }
  }
  return { other: String(v) }
}
const rows = objects.map(o => columns.map(c => tag(o[c.name])))
process.stdout.write(JSON.stringify({ num_rows: Number(metadata.num_rows), columns, rows }))
