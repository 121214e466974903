'use strict';
// Reads a zip archive (a .vsix is one) with node's zlib only: the names of its
// entries from the central directory, and the bytes of one entry.

const zlib = require('node:zlib');

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function centralDirectory(buf) {
  for (let at = buf.length - 22; at >= Math.max(0, buf.length - 22 - 0xffff); at -= 1) {
    if (buf.readUInt32LE(at) === EOCD) {
      return { count: buf.readUInt16LE(at + 10), offset: buf.readUInt32LE(at + 16) };
    }
  }
  throw new Error('not a zip archive: no end of central directory record');
}

function entries(buf) {
  const { count, offset } = centralDirectory(buf);
  const out = [];
  let at = offset;
  for (let i = 0; i < count; i += 1) {
    if (buf.readUInt32LE(at) !== CENTRAL) throw new Error(`bad central directory entry ${i}`);
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    out.push({ name, method, compressed, size, local });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

function read(buf, entry) {
  if (buf.readUInt32LE(entry.local) !== LOCAL) throw new Error(`bad local header for ${entry.name}`);
  const start = entry.local + 30 + buf.readUInt16LE(entry.local + 26) + buf.readUInt16LE(entry.local + 28);
  const data = buf.subarray(start, start + entry.compressed);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return zlib.inflateRawSync(data);
  throw new Error(`${entry.name}: compression method ${entry.method} is not supported`);
}

module.exports = { entries, read };
