/**
 * Static files of the web UI: the package's web/ folder, plus the browser builds of vega, vega-lite,
 * vega-embed and yaml from node_modules, by an explicit table (no path from the URL reaches the disk
 * except names inside web/, checked to stay there). No network at run time: everything is local.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, isAbsolute } from 'node:path';
import { packagePath } from '../package-files.ts';

const require = createRequire(import.meta.url);
const WEB_DIR = packagePath('web');

/** The folder of an installed package (from its main entry; some packages do not export package.json). */
function packageDir(name: string, entryToRoot: string): string {
  return join(dirname(require.resolve(name)), entryToRoot);
}

/** /vendor/<name> → file in node_modules. */
function vendorFiles(): Record<string, string> {
  return {
    'vega.min.js': join(packageDir('vega', '.'), 'vega.min.js'), // main: build/vega.module.js → build/
    'vega-lite.min.js': join(packageDir('vega-lite', '.'), 'vega-lite.min.js'), // build/index.js → build/
    'vega-embed.min.js': join(packageDir('vega-embed', '.'), 'vega-embed.min.js'), // build/embed.js → build/
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8', '.yaml': 'text/yaml; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[extname(file)] ?? 'application/octet-stream';
}

let vendor: Record<string, string> | undefined;

/** The file for a URL path of the UI, or undefined (404). */
export function staticFile(urlPath: string): string | undefined {
  if (urlPath.startsWith('/vendor/yaml/')) {
    // the yaml package's browser build (ES modules importing each other by relative paths)
    const dir = join(packageDir('yaml', '..'), 'browser', 'dist'); // main: dist/index.js → package root
    return inside(dir, decodeURIComponent(urlPath.slice('/vendor/yaml/'.length)));
  }
  if (urlPath.startsWith('/vendor/')) {
    vendor ??= vendorFiles();
    const f = vendor[urlPath.slice('/vendor/'.length)];
    return f && existsSync(f) ? f : undefined;
  }
  return inside(WEB_DIR, urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath.slice(1)));
}

/** `name` inside `dir`, if it stays there and is a file. */
function inside(dir: string, name: string): string | undefined {
  const file = join(dir, name);
  const rel = relative(dir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || name.includes('\0')) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

export function readStatic(file: string): Buffer {
  return readFileSync(file);
}
