/** Test helper (shared by the template tests): a snippet body as the text VS Code inserts when every placeholder keeps its default. */
export function renderSnippet(body: string[]): string {
  const vars = new Map<string, string>();
  let text = body.join("\n");
  // ${n:default} and ${n|a,b|} define the value; $n mirrors it; \$ is a literal dollar.
  text = text.replace(/\$\{(\d+):([^{}]*)\}/g, (_m, n, d) => (vars.set(n, d), d));
  text = text.replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_m, n: string, choices: string) => {
    const first = String(choices).split(",")[0] ?? "";
    vars.set(n, first);
    return first;
  });
  text = text.replace(/(?<!\\)\$(\d+)/g, (_m, n) => vars.get(n) ?? "");
  return text.replace(/\\\$/g, "$");
}
