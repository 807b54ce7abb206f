// Copy the front-end packages from node_modules into Django's static files (no CDN, no bundler).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/routearbeid/core/static/vendor");
const files = {
  "@utrecht/component-library-css/dist/index.css": "utrecht-components.css",
  "@utrecht/design-tokens/dist/index.css": "utrecht-tokens.css",
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
};
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(files)) {
  copyFileSync(join(root, "node_modules", from), join(out, to));
}
console.log(`assets: ${Object.keys(files).length} files in ${out}`);
