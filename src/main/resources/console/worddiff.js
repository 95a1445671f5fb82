// Word-level difference of two answers for the side-by-side view: the longest common subsequence of their
// words (and the spaces between them), so what one side says and the other does not stands out.

const MAX_TOKENS = 1500; // the LCS table is tokens², so very long answers are compared as whole blocks

function tokens(text) {
  return text.match(/\s+|[^\s]+/g) || [];
}

/**
 * Splits both texts into runs marked same or not: {primary: [{text, same}], candidate: [{text, same}]}.
 * Whitespace never counts as a difference on its own.
 */
export function wordDiff(primaryText, candidateText) {
  const a = tokens(primaryText || '');
  const b = tokens(candidateText || '');
  if (a.length > MAX_TOKENS || b.length > MAX_TOKENS) {
    const same = primaryText === candidateText;
    return { primary: [{ text: primaryText, same }], candidate: [{ text: candidateText, same }] };
  }
  const width = b.length + 1;
  const lengths = new Uint16Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1
          : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const inA = new Array(a.length).fill(false);
  const inB = new Array(b.length).fill(false);
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) { inA[i++] = true; inB[j++] = true; }
    else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) i++;
    else j++;
  }
  return { primary: runs(a, inA), candidate: runs(b, inB) };
}

/** Whitespace between two changed words belongs to the change, so a changed phrase reads as one mark. */
function runs(words, kept) {
  const out = [];
  const space = (word) => /^\s+$/.test(word);
  words.forEach((word, i) => {
    const same = space(word) ? !(i > 0 && !kept[i - 1] && i + 1 < words.length && !kept[i + 1]) : kept[i];
    const last = out[out.length - 1];
    if (last && last.same === same) last.text += word;
    else out.push({ text: word, same });
  });
  return out;
}
