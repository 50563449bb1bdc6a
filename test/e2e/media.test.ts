/**
 * Media against a real Synapse (authenticated media on): upload a PNG made here,
 * download it by server and id and by its mxc URI, thumbnail it, read the config.
 */
import { describe, expect, it } from 'vitest';
import { isMatrixError, type MediaResponse } from '../../src/index.js';
import { caught, isPng, makePng, newUser, synapse } from './helpers.js';

/** `content_uri` split into the two path parameters. */
function parseMxc(uri: string): { serverName: string; mediaId: string } {
  const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(uri);
  if (!match) throw new Error(`not an mxc URI: ${uri}`);
  return { serverName: match[1]!, mediaId: match[2]! };
}

/** Width and height from the IHDR chunk of a PNG (0 when the bytes are not a PNG). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (!isPng(bytes)) return { width: 0, height: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('media', () => {
  it('uploads a generated PNG and downloads the same bytes by server name and media id', async () => {
    const alice = await newUser();
    const png = makePng(64, 64);
    expect(isPng(png)).toBe(true);

    const { content_uri: uri } = await alice.client.media.upload.post(png, { contentType: 'image/png', filename: 'gradient.png' });
    const { serverName, mediaId } = parseMxc(uri);
    expect(serverName).toBe(synapse().serverName);

    const download = await alice.client.media.download(serverName, mediaId).get();
    expect(download.status).toBe(200);
    expect(download.contentType).toBe('image/png');
    expect(download.filename).toBe('gradient.png');
    expect(download.size).toBe(png.byteLength);
    expect(await download.bytes()).toEqual(png);
  });

  it('downloads by the mxc URI itself, as a blob and as a stream', async () => {
    const alice = await newUser();
    const png = makePng(32, 16);
    const { content_uri: uri } = await alice.client.media.upload.post(png, { contentType: 'image/png' });

    // content_uri is typed `mxc://${string}` (the spec's mx-mxc-uri format), so it goes straight in.
    const asBlob = await alice.client.media.download(uri).get().then((media: MediaResponse) => media.blob());
    expect(asBlob.type).toBe('image/png');
    expect(new Uint8Array(await asBlob.arrayBuffer())).toEqual(png);

    const streamed: MediaResponse = await alice.client.media.download(uri).get();
    const reader = streamed.stream().getReader();
    const chunks: Uint8Array[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
    expect(new Uint8Array(Buffer.concat(chunks))).toEqual(png);
    expect(() => streamed.stream()).toThrow(TypeError);
  });

  it('downloads under another file name', async () => {
    const alice = await newUser();
    const png = makePng(8, 8);
    const { content_uri: uri } = await alice.client.media.upload.post(png, { contentType: 'image/png', filename: 'first.png' });
    const { serverName, mediaId } = parseMxc(uri);

    const download = await alice.client.media.download(serverName, mediaId, 'renamed.png').get();
    expect(download.filename).toBe('renamed.png');
    expect(await download.bytes()).toEqual(png);
  });

  it('thumbnails the PNG, scaled and cropped, into non-empty images no larger than the original', async () => {
    const alice = await newUser();
    const { content_uri: uri } = await alice.client.media.upload.post(makePng(64, 64), { contentType: 'image/png' });
    const { serverName, mediaId } = parseMxc(uri);
    const thumbnail = alice.client.media.thumbnail(serverName, mediaId);

    const scaled = await thumbnail.get({ width: 32, height: 32, method: 'scale' });
    expect(scaled.contentType).toMatch(/^image\//);
    const scaledBytes = await scaled.bytes();
    expect(scaledBytes.byteLength).toBeGreaterThan(0);
    // Synapse never scales up, and its smallest 'scale' size (320x240) exceeds the original.
    expect(pngSize(scaledBytes).width).toBeLessThanOrEqual(64);

    const cropped = await thumbnail.get({ width: 32, height: 32, method: 'crop' });
    expect(cropped.contentType).toMatch(/^image\//);
    const croppedBytes = await cropped.bytes();
    if (cropped.contentType === 'image/png') expect(pngSize(croppedBytes)).toEqual({ width: 32, height: 32 });
    else expect(croppedBytes.byteLength).toBeGreaterThan(0);
  });

  it('uploads a stream with its size, and reads the same bytes back', async () => {
    const alice = await newUser();
    const png = makePng(48, 48);
    const half = png.byteLength >> 1;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(png.slice(0, half));
        controller.enqueue(png.slice(half));
        controller.close();
      },
    });
    const { content_uri: uri } = await alice.client.media.upload.post(stream, { contentType: 'image/png', size: png.byteLength });
    expect(await (await alice.client.media.download(uri).get()).bytes()).toEqual(png);
  });

  it('reads the media config', async () => {
    const alice = await newUser();
    const config = await alice.client.media.config.get();
    expect(config['m.upload.size']).toBe(100 * 1024 * 1024);
  });

  it('answers a download of unknown media with M_NOT_FOUND', async () => {
    const alice = await newUser();
    const error = await caught(() => alice.client.media.download(synapse().serverName, 'doesNotExist123').get());
    expect(isMatrixError(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, errcode: 'M_NOT_FOUND' });
  });
});
