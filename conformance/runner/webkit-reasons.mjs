// Placeholder, replaced once the templates are known.
export function reasonKeyOfWebKitMessage(text) {
  return null;
}
