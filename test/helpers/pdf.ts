// Text extraction from a PDF for tests (pdfjs-dist, pure JavaScript): what a reader's viewer would show.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  pages: { width: number; height: number; text: string }[];
  /** All pages' text, items joined by spaces and lines by newlines. */
  text: string;
}

export async function pdfText(data: Buffer): Promise<PdfText> {
  const doc = await getDocument({ data: new Uint8Array(data), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const pages: PdfText['pages'] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const { width, height } = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    const text = content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : ' ') : '')).join('');
    pages.push({ width, height, text });
  }
  await doc.destroy();
  return { pages, text: pages.map((p) => p.text).join('\n') };
}
