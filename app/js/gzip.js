// Inflating the chunks a bootstrap page brings gzipped (the device stores them as they came):
// the browser's own DecompressionStream, native and off the WebAssembly heap.

export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return await new Response(stream).text();
}
