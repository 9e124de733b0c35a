import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { csvField, toCsv } from "../../common/csv";

/** A small RFC 4180 reader, to check that what we write reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = "";
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      row.push(f);
      f = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(f);
      rows.push(row);
      row = [];
      f = "";
      i++;
    } else f += c;
  }
  if (f || row.length) {
    row.push(f);
    rows.push(row);
  }
  return rows;
}

test("csvField quotes commas, quotes and newlines", () => {
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField(" padded "), '" padded "');
  assert.equal(csvField(12.5), "12.5");
  assert.equal(csvField(-3), "-3");
  assert.equal(csvField(NaN), "");
  assert.equal(csvField(undefined), "");
});

test("csvField defuses spreadsheet formulas in text but not negative numbers", () => {
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField("+1"), "'+1");
  assert.equal(csvField("-cmd"), "'-cmd");
  assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvField(-42), "-42");
  // Issue 14: a text cell that starts like a negative number is still a formula (-1+cmd|...).
  assert.equal(csvField("-1+A1"), "'-1+A1");
  assert.equal(csvField("\t=1"), "'\t=1");
  assert.equal(csvField("\r=1"), `"'\r=1"`);
});

test("toCsv uses CRLF and reads back field by field", () => {
  assert.equal(
    toCsv([
      ["a", 1],
      ["b", 2],
    ]),
    "a,1\r\nb,2\r\n",
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.array(
          fc.string({ maxLength: 12 }).filter((s) => !/^[=+\-@\t\r]/.test(s)),
          { minLength: 1, maxLength: 5 },
        ),
        { minLength: 1, maxLength: 6 },
      ),
      (rows) => {
        assert.deepEqual(parseCsv(toCsv(rows)), rows);
      },
    ),
  );
});
