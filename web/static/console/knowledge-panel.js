// The console's knowledge-base panel: searches as the operator types (or from the call's content until the
// operator types a query), arrow keys move between articles, Enter answers the call with the chosen one.

import { get } from "/static/common/api.js";
import { $, $$, debounce, h, highlighted, replace } from "/static/common/dom.js";
import { showError } from "/static/common/notice.js";

export function setupKnowledge({ contentOf, answer }) {
  const input = $("#kb-query");
  const results = $("#kb-results");
  const source = $("#kb-source");
  const problem = $("#kb-error");
  let seq = 0;

  async function search(query, fromContent) {
    const mine = ++seq;
    if (!query) {
      replace(results);
      source.textContent = "";
      return;
    }
    try {
      const hits = await get(`/api/knowledge/search?q=${encodeURIComponent(query.slice(0, 200))}&limit=6`);
      if (mine !== seq) return;
      showError(problem, null);
      source.textContent = fromContent ? "根据诉求内容推荐：" : hits.length ? `检索「${query}」：${hits.length} 条` : "";
      render(hits);
    } catch (error) {
      if (mine === seq) showError(problem, error);
    }
  }

  function render(hits) {
    if (!hits.length) {
      replace(results, h("li", { class: "empty", text: "没有找到相关文章，可换个说法，如“补办”“提取”“报名”。" }));
      return;
    }
    replace(results, hits.map((hit) => h("li", { class: "kb-hit", dataset: { id: hit.id } },
      h("div", { class: "kb-title" }, highlighted(hit.title, hit.matched)),
      h("div", { class: "muted small" }, [hit.department ? hit.department.name : "通用",
        hit.valid_until ? `有效期至 ${hit.valid_until}` : "长期有效"].join(" · ")),
      hit.matched.length ? h("div", {}, hit.matched.slice(0, 6).map((w) => h("span", { class: "chip", text: w })))
        : null,
      h("p", { class: "kb-answer" }, highlighted(hit.answer, hit.matched)),
      h("button", { type: "button", class: "primary kb-answer-button", text: "直接答复",
        title: "以此文章答复来电人并办结工单", onclick: () => answer(hit) }))));
  }

  const typed = debounce(() => search(input.value.trim(), false), 250);
  const fromContent = debounce(() => {
    if (!input.value.trim()) search(contentOf(), true);
  }, 600);

  input.addEventListener("input", typed);
  $("#kb-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search(input.value.trim(), false);
  });
  $("#content").addEventListener("input", fromContent);
  window.addEventListener("console:new-call", () => {
    input.value = "";
    search("", false);
  });

  // ↓ from the search box into the results, ↑/↓ between articles, Enter (native) on the focused button answers.
  function buttons() {
    return $$(".kb-answer-button", results);
  }
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && buttons().length) {
      event.preventDefault();
      buttons()[0].focus();
    }
  });
  results.addEventListener("keydown", (event) => {
    const list = buttons();
    const at = list.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" && at < list.length - 1) {
      event.preventDefault();
      list[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (at > 0 ? list[at - 1] : input).focus();
    }
  });
}
