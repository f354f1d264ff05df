// The subset of the Users `search` expression language the emulator understands:
// `<attribute> eq "<value>"` terms joined by `or`. Attributes: id, status, profile.<name>.
// Property names are case sensitive; operators and values are not (users.yaml, listUsers).

const TERM = /^\s*(id|status|profile\.[A-Za-z0-9_]+)\s+[eE][qQ]\s+"((?:[^"\\]|\\.)*)"\s*/;
const OR = /^[oO][rR]\s+/;

/** The terms of `expression`, or null when it is not valid search syntax. */
export function parseSearch(expression) {
  const terms = [];
  let rest = expression;
  for (;;) {
    const term = TERM.exec(rest);
    if (!term) return null;
    terms.push({ attribute: term[1], value: term[2].replace(/\\(.)/g, '$1') });
    rest = rest.slice(term[0].length);
    if (rest === '') return terms;
    const or = OR.exec(rest);
    if (!or) return null;
    rest = rest.slice(or[0].length);
  }
}

function attributeValue(user, attribute) {
  if (attribute.startsWith('profile.')) return user.profile[attribute.slice('profile.'.length)];
  return user[attribute];
}

export function matchesSearch(user, terms) {
  return terms.some(({ attribute, value }) => {
    const actual = attributeValue(user, attribute);
    return typeof actual === 'string' && actual.toLowerCase() === value.toLowerCase();
  });
}
