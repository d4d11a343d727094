/**
 * A small XML reader for machine-written answers (AWS query-protocol responses and errors): elements, their text,
 * the five predefined entities, character references and CDATA. Attributes, comments, processing instructions and
 * DOCTYPEs are skipped, and no entity is ever expanded from the document, so a hostile answer cannot grow in memory.
 * It builds a plain tree in one pass; callers read the few fields they need from it.
 */

export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** The element's own text (character data directly inside it), decoded. */
  text: string;
}

const TOKEN =
  /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<![^>]*>|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name];
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** The document's root element. Throws on text that is not well-formed enough to read (unbalanced tags). */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '', children: [], text: '' };
  const open: XmlElement[] = [root];
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const current = open[open.length - 1];
    if (match.index > last) current.text += decode(text.slice(last, match.index));
    last = TOKEN.lastIndex;
    const [, cdata, closing, name, selfClosing] = match;
    if (cdata !== undefined) {
      current.text += cdata;
    } else if (name === undefined) {
      continue; // comment, declaration, processing instruction
    } else if (closing) {
      if (current.name !== name) throw new Error(`malformed XML: </${name}> closes <${current.name || '(none)'}>`);
      open.pop();
    } else {
      const element: XmlElement = { name, children: [], text: '' };
      current.children.push(element);
      if (!selfClosing) open.push(element);
    }
  }
  if (open.length !== 1) throw new Error(`malformed XML: <${open[open.length - 1].name}> is never closed`);
  const [element] = root.children;
  if (element === undefined) throw new Error('malformed XML: no element');
  return element;
}

/** The first child element called `name`. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** The element at a path of child names, e.g. `path(root, 'Error', 'Code')`. */
export function path(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  return names.reduce<XmlElement | undefined>((at, name) => child(at, name), element);
}

/** The trimmed text of the element at `names`, or undefined when it is absent. */
export function textAt(element: XmlElement | undefined, ...names: string[]): string | undefined {
  const found = path(element, ...names);
  return found === undefined ? undefined : found.text.trim();
}
