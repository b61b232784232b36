//! Byte offsets to the `line:column` pairs people read in error messages.

use std::fmt;

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// Where byte `offset` of `text` is. Offsets past the end clamp to the end.
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

/// Line starts of a text, computed once, so that turning many offsets into positions costs
/// a binary search each instead of a scan from the start.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        // memchr: a glossary of 100,000 terms has 2.4 million lines.
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    /// Same answer as `Position::of_offset`, in logarithmic time plus the column's length.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line - 1];
        Position {
            line,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_is_line_one_column_one() {
        assert_eq!(
            Position::of_offset("abc", 0),
            Position { line: 1, column: 1 }
        );
    }

    #[test]
    fn counts_lines_and_characters_not_bytes() {
        let text = "a\n生成x";
        assert_eq!(
            Position::of_offset(text, text.find('x').unwrap()),
            Position { line: 2, column: 3 }
        );
    }

    #[test]
    fn line_index_agrees_with_the_scan() {
        let text = "ab\n生成\r\n\nxyz";
        let lines = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                lines.position(offset),
                Position::of_offset(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn offsets_inside_a_character_or_past_the_end_do_not_panic() {
        assert_eq!(
            Position::of_offset("生", 1),
            Position { line: 1, column: 1 }
        );
        assert_eq!(
            Position::of_offset("ab", 99),
            Position { line: 1, column: 3 }
        );
    }
}
