// The card preview's search: text, tag and retired filters over the cards already in the
// page. It reads and hides elements and does nothing else: no network, no storage.
"use strict";
(function () {
  const search = document.getElementById("pv-search");
  const tag = document.getElementById("pv-tag");
  const retired = document.getElementById("pv-retired");
  const count = document.getElementById("pv-count");
  const cards = Array.from(document.querySelectorAll("article.pv-card"));
  const decks = Array.from(document.querySelectorAll("section.pv-deck"));
  const normalise = (text) => text.toLowerCase().replace(/\s+/g, " ");
  const texts = cards.map((card) => normalise(card.textContent));
  const tagsOf = cards.map((card) => card.dataset.tags.split(" ").filter(Boolean));

  // A tag matches its own cards and its children's, as Anki's `tag:service::kinesis` does.
  const hasTag = (tags, wanted) =>
    tags.some((t) => t === wanted || t.startsWith(wanted + "::"));

  function apply() {
    const words = normalise(search.value).split(" ").filter(Boolean);
    const wanted = tag.value;
    const mode = retired.value;
    let shown = 0;
    cards.forEach((card, i) => {
      const isRetired = card.classList.contains("pv-is-retired");
      const visible =
        words.every((word) => texts[i].includes(word)) &&
        (wanted === "" || hasTag(tagsOf[i], wanted)) &&
        (mode === "all" || (mode === "only") === isRetired);
      card.hidden = !visible;
      if (visible) shown += 1;
    });
    decks.forEach((deck) => {
      const visible = deck.querySelectorAll("article.pv-card:not([hidden])").length;
      deck.hidden = visible === 0;
    });
    const total = cards.length === 1 ? "1 card" : `${cards.length} cards`;
    count.textContent = shown === cards.length ? total : `${shown} of ${total}`;
  }

  search.addEventListener("input", apply);
  tag.addEventListener("change", apply);
  retired.addEventListener("change", apply);
  apply();
})();
