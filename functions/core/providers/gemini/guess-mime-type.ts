/**
 * Gemini's `fileData` needs a MIME type, which an OpenAI `image_url` does not carry: it is guessed
 * from the file extension of the URL's path (query and fragment ignored), among the types Gemini
 * documents for images, documents, audio and video (https://ai.google.dev/gemini-api/docs/file-input-methods).
 */
const MIME_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  xml: 'text/xml',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  aiff: 'audio/aiff',
  mp4: 'video/mp4',
  mpeg: 'video/mpeg',
  mpg: 'video/mpeg',
  mov: 'video/mov',
  avi: 'video/avi',
  flv: 'video/x-flv',
  webm: 'video/webm',
  wmv: 'video/wmv',
  '3gp': 'video/3gpp',
};

/** The MIME type for a URL or file name by its extension, or undefined when the extension is unknown. */
export function guessMimeType(urlOrName: string): string | undefined {
  const path = urlOrName.split(/[?#]/, 1)[0] ?? '';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot === -1) return undefined;
  const extension = name.slice(dot + 1).toLowerCase();
  return Object.hasOwn(MIME_TYPES_BY_EXTENSION, extension) ? MIME_TYPES_BY_EXTENSION[extension] : undefined;
}

export interface DataUrl {
  mimeType: string;
  base64: string;
}

/** `data:<mime>;base64,<data>` → its parts; undefined for anything else (Gemini's inlineData is base64 only). */
export function parseBase64DataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]+)((?:;[^;,]+)*);base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mimeType: match[1]!.toLowerCase(), base64: match[3]! };
}
