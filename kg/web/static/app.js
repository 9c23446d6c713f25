// The query editor: saved queries load into it, Run shows the result as a table on the page.
// Without this script the form still works: it sends the query to /sparql by GET.
// Every value from the graph is written with textContent, never parsed as HTML.
"use strict";

(function () {
  const editor = document.getElementById("editor");
  const form = editor && editor.querySelector("form");
  if (!editor || !form) return;
  const textarea = document.getElementById("query");
  const format = document.getElementById("format");
  const run = document.getElementById("run");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const body = document.getElementById("result-body");
  const base = editor.dataset.base || "";
  const idRoot = editor.dataset.idRoot || "/id/";

  // Where a link to an IRI goes: its local page under the base, else the IRI if it is http(s).
  function hrefFor(iri) {
    if (base && iri.startsWith(base)) return idRoot + iri.slice(base.length);
    if (/^https?:\/\//i.test(iri)) return iri;
    return null;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function termCell(term) {
    const cell = element("td");
    if (!term) return cell;
    if (term.type === "uri") {
      const target = hrefFor(term.value);
      const link = element(target ? "a" : "span", term.value);
      if (target) link.href = target;
      cell.appendChild(link);
    } else if (term.type === "bnode") {
      cell.textContent = "_:" + term.value;
    } else {
      cell.appendChild(element("span", term.value, "literal"));
      const tag = term["xml:lang"] ? "@" + term["xml:lang"] : shortType(term.datatype);
      if (tag) cell.appendChild(element("span", tag, "tag"));
      if (/#(integer|decimal|double|float)$/.test(term.datatype || "")) cell.className = "number";
    }
    return cell;
  }

  // Plain strings, numbers and booleans read as they are; other datatypes get a short tag.
  const PLAIN_TYPES = /#(string|integer|decimal|double|float|boolean|date)$/;

  function shortType(datatype) {
    if (!datatype || PLAIN_TYPES.test(datatype)) return "";
    return datatype.split(/[#/]/).pop();
  }

  function table(vars, bindings) {
    const tableNode = element("table");
    const headRow = tableNode.createTHead().insertRow();
    for (const name of vars) headRow.appendChild(element("th", name));
    const tbody = tableNode.createTBody();
    for (const binding of bindings) {
      const row = tbody.insertRow();
      for (const name of vars) row.appendChild(termCell(binding[name]));
    }
    return tableNode;
  }

  function showError(problem) {
    const where = problem.line ? ` (line ${problem.line}, column ${problem.column})` : "";
    body.replaceChildren(element("p", `${problem.title || "Error"}${where}: ${problem.error}`, "error"));
    status.textContent = `${problem.status || ""} ${problem.title || ""}`.trim();
    if (problem.line) selectPosition(problem.line, problem.column || 1);
  }

  // Put the cursor where the endpoint says the syntax error is.
  function selectPosition(line, column) {
    const lines = textarea.value.split("\n");
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    offset += column - 1;
    textarea.focus();
    textarea.setSelectionRange(offset, Math.min(offset + 1, textarea.value.length));
  }

  async function runQuery() {
    results.hidden = false;
    run.disabled = true;
    status.textContent = "Running…";
    body.replaceChildren();
    const started = performance.now();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: textarea.value }),
      });
      const type = response.headers.get("Content-Type") || "";
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if (typeof data.boolean === "boolean") {
          body.replaceChildren(element("p", data.boolean ? "true" : "false", "boolean"));
          status.textContent = `ASK: ${data.boolean} · ${seconds} s`;
        } else {
          const rows = data.results.bindings;
          body.replaceChildren(table(data.head.vars, rows));
          status.textContent = `${rows.length} row${rows.length === 1 ? "" : "s"} · ${seconds} s`;
        }
      } else if (type.startsWith("application/json")) {
        showError(await response.json());
      } else {
        body.replaceChildren(element("pre", await response.text()));
        status.textContent = `${response.status} · ${type.split(";")[0]} · ${seconds} s`;
      }
    } catch (error) {
      showError({ title: "The endpoint did not answer", error: String(error) });
    } finally {
      run.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    // A chosen format is the endpoint's own answer: let the browser open it.
    if (format.value) return;
    event.preventDefault();
    runQuery();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  for (const link of document.querySelectorAll("a.saved-query")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      textarea.value = link.dataset.query;
      for (const other of document.querySelectorAll("a.saved-query.current")) other.classList.remove("current");
      link.classList.add("current");
      history.replaceState(null, "", link.href);
      textarea.focus();
      textarea.setSelectionRange(0, 0);
      textarea.scrollTop = 0;
    });
  }
})();
