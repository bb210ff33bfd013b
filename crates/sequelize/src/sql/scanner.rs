//! Finds the placeholders in developer-written raw SQL, for
//! `sequelize.query(sql, { replacements, bind })`.
//!
//! [`scan`] splits a statement into [`Piece`]s: verbatim SQL text, and the placeholders Sequelize
//! recognises (`?` and `:name` replacements, `$1` and `$name` bind parameters). It substitutes
//! nothing; the caller renders each placeholder (an escaped literal for a replacement, the
//! dialect's own parameter marker for a bind parameter) and joins the pieces.
//!
//! # Why a tokenizer
//!
//! CVE-2023-25813 (Sequelize issue #14519, fixed in 6.19.1): a query was first built from the
//! `where` option, with user values already escaped into it, and the result was then searched for
//! `:name` replacements. A user value containing `:name` was therefore replaced *inside its own
//! string literal*, and the replacement's quotes broke out of it. Hence the rules kept here:
//!
//! * placeholders are resolved **once**, and only in the SQL the developer wrote, never in text
//!   produced by substitution (returning pieces, not a rewritten string, makes rescanning hard);
//! * the tokenizer understands everything that can hide a `:`, `?` or `$`: string literals (`''`,
//!   backslash escapes and `E'…'` where the dialect has them), quoted identifiers, `--`/`#`/`/* */`
//!   comments, `::` casts and PostgreSQL dollar-quoted strings;
//! * text it cannot delimit (an unterminated literal, identifier, comment or dollar quote) is an
//!   error, not a guess: a guess that disagrees with the database's lexer is how a value ends up on
//!   the wrong side of a quote.
//!
//! As in Sequelize v6.19+/v7 (`utils/sql.ts`), a placeholder must follow whitespace, `(`, `[`,
//! `>`, `,`, `=` or the start of the text, and a `:name` or `$name` must be followed by
//! whitespace, `)`, `]`, `,`, `;`, `::` or the end.

use std::fmt;

/// What a backslash does inside a `'…'` string literal, in the session the SQL runs in.
///
/// PostgreSQL's `standard_conforming_strings` and MySQL's `NO_BACKSLASH_ESCAPES` are session
/// settings: the same text ends a literal at different places depending on them, so a
/// placeholder the scanner sees outside a literal could sit inside one for the server.
///
/// ```
/// use sequelize::sql::scanner::{scan, Backslashes, ScanError, ScanFor};
/// let postgres = sequelize::dialect::by_name("postgres").unwrap().scan_rules();
/// let sql = r"SELECT 'a\' AS x, :v AS y -- '";
/// let on = postgres.with_backslashes(Backslashes::Literal);
/// let off = postgres.with_backslashes(Backslashes::Escape);
/// assert_eq!(scan(sql, &on, ScanFor::ALL).unwrap().len(), 3);  // text, :v, text
/// assert_eq!(scan(sql, &off, ScanFor::ALL).unwrap().len(), 1); // one string literal
/// let unknown = postgres.with_backslashes(Backslashes::Unknown);
/// assert!(matches!(scan(sql, &unknown, ScanFor::ALL), Err(ScanError::ModeDependent { .. })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backslashes {
    /// It escapes the next character (MySQL/MariaDB by default; PostgreSQL with
    /// `standard_conforming_strings = off`).
    Escape,
    /// It is an ordinary character (standard SQL, SQLite, PostgreSQL by default, MySQL with
    /// `NO_BACKSLASH_ESCAPES`).
    Literal,
    /// Not known for certain: a literal holding a backslash is refused
    /// ([`ScanError::ModeDependent`]) rather than guessed at.
    Unknown,
}

/// What `"…"` quotes.
///
/// ```
/// use sequelize::{dialect::by_name, sql::scanner::DoubleQuotes};
/// assert_eq!(by_name("postgres").unwrap().scan_rules().double_quotes, DoubleQuotes::Identifier);
/// assert_eq!(by_name("mysql").unwrap().scan_rules().double_quotes, DoubleQuotes::StringOrIdentifier);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoubleQuotes {
    /// An identifier, with `""` for a quote inside (standard SQL, PostgreSQL, SQLite).
    Identifier,
    /// A string literal, read like `'…'` (MySQL/MariaDB without `ANSI_QUOTES`).
    String,
    /// Either, depending on a setting the protocol does not report (MySQL's `ANSI_QUOTES`).
    /// Both readings end at the same quote unless a backslash escapes, so such a token is
    /// refused when backslashes may escape.
    StringOrIdentifier,
}

/// How one dialect lexes SQL, as far as the scanner needs to know.
///
/// Each dialect defines its rules (`dialect.scan_rules()`), starting from [`ScanRules::ANSI`];
/// `rules.with_backslashes(Backslashes::Escape)` on PostgreSQL's is PostgreSQL with
/// `standard_conforming_strings = off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanRules {
    /// What a backslash does inside `'…'` strings (and `"…"` strings, where they exist).
    pub backslashes: Backslashes,
    /// `E'…'` / `e'…'` strings always use backslash escapes (PostgreSQL).
    pub escape_string_prefix: bool,
    /// `$tag$ … $tag$` and `$$ … $$` are string literals (PostgreSQL).
    pub dollar_quoting: bool,
    /// What `"…"` quotes.
    pub double_quotes: DoubleQuotes,
    /// `` `…` `` quotes an identifier (MySQL/MariaDB, SQLite).
    pub backtick_identifiers: bool,
    /// `[…]` quotes an identifier (SQLite, MSSQL); `]]` inside it is an escaped `]`.
    pub bracket_identifiers: bool,
    /// `#` starts a line comment (MySQL/MariaDB).
    pub hash_comments: bool,
    /// `--` starts a comment only when followed by whitespace, a control character or the end of
    /// the text (MySQL/MariaDB, where `5--1` is a subtraction).
    pub dash_comment_requires_space: bool,
    /// `/* … */` comments nest (PostgreSQL).
    pub nested_block_comments: bool,
}

impl ScanRules {
    /// Standard SQL: `'…'` strings, `"…"` identifiers, `--` and non-nesting `/* */` comments.
    pub const ANSI: ScanRules = ScanRules {
        backslashes: Backslashes::Literal,
        escape_string_prefix: false,
        dollar_quoting: false,
        double_quotes: DoubleQuotes::Identifier,
        backtick_identifiers: false,
        bracket_identifiers: false,
        hash_comments: false,
        dash_comment_requires_space: false,
        nested_block_comments: false,
    };

    /// The same rules with another reading of backslashes.
    ///
    /// ```
    /// use sequelize::sql::scanner::Backslashes;
    /// let mysql = sequelize::dialect::by_name("mysql").unwrap().scan_rules();
    /// let no_backslash_escapes = mysql.with_backslashes(Backslashes::Literal);
    /// assert_eq!(no_backslash_escapes.backslashes, Backslashes::Literal);
    /// ```
    pub const fn with_backslashes(self, backslashes: Backslashes) -> ScanRules {
        ScanRules {
            backslashes,
            ..self
        }
    }

    /// How a backslash reads inside `"…"` tokens: only where every possible reading of the
    /// token agrees.
    fn double_quote_backslashes(&self) -> Backslashes {
        match (self.double_quotes, self.backslashes) {
            (DoubleQuotes::Identifier, _) => Backslashes::Literal,
            (DoubleQuotes::String, mode) => mode,
            (DoubleQuotes::StringOrIdentifier, Backslashes::Literal) => Backslashes::Literal,
            (DoubleQuotes::StringOrIdentifier, _) => Backslashes::Unknown,
        }
    }
}

/// Which placeholder syntaxes to recognise; the others are left in the verbatim text.
///
/// Sequelize looks for `?` only when the replacements are an array and for `:name` only when
/// they are an object, so a `?` stays in SQL with named replacements (PostgreSQL's jsonb `?`
/// operator next to `:name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanFor {
    /// Recognise `?` ([`Piece::Positional`]).
    pub positional: bool,
    /// Recognise `:name` ([`Piece::Named`]).
    pub named: bool,
    /// Recognise `$1` ([`Piece::BindIndex`]) and `$name` ([`Piece::BindName`]).
    pub bind: bool,
}

impl ScanFor {
    /// Every kind of placeholder.
    pub const ALL: ScanFor = ScanFor {
        positional: true,
        named: true,
        bind: true,
    };
    /// Both kinds of replacements (`?`, `:name`).
    pub const REPLACEMENTS: ScanFor = ScanFor {
        bind: false,
        ..ScanFor::ALL
    };
    /// Bind parameters only (`$1`, `$name`).
    pub const BIND: ScanFor = ScanFor::NOTHING.with_bind(true);
    /// No placeholder: the text is only checked for balanced quoting.
    pub const NOTHING: ScanFor = ScanFor {
        positional: false,
        named: false,
        bind: false,
    };

    /// The same selection with bind parameters switched on or off.
    ///
    /// ```
    /// use sequelize::sql::scanner::ScanFor;
    /// assert_eq!(ScanFor::REPLACEMENTS.with_bind(true), ScanFor::ALL);
    /// ```
    pub const fn with_bind(self, bind: bool) -> ScanFor {
        ScanFor { bind, ..self }
    }
}

/// One piece of the scanned SQL, in order. Concatenating the [`Piece::Sql`] pieces with the
/// placeholders' substitutions gives the final text.
///
/// Adjacent verbatim text is always merged, and `Sql` pieces are never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Verbatim text (may contain strings, identifiers, comments, casts, …).
    Sql(&'a str),
    /// A bare `?` replacement.
    Positional,
    /// A `:name` replacement (the name, without the colon).
    Named(&'a str),
    /// A `$1` bind parameter (1-based, as written).
    BindIndex(usize),
    /// A `$name` bind parameter (the name, without the `$`).
    BindName(&'a str),
}

/// SQL whose quoting the scanner could not delimit. Offsets are in bytes from the start of the
/// text and point at the opening delimiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// A `'…'` (or `E'…'`, or MySQL `"…"`) literal is never closed.
    UnterminatedString {
        /// Byte offset of the opening quote.
        offset: usize,
    },
    /// A `"…"`, `` `…` `` or `[…]` identifier is never closed.
    UnterminatedIdentifier {
        /// Byte offset of the opening quote or bracket.
        offset: usize,
    },
    /// A `/* … */` comment is never closed.
    UnterminatedComment {
        /// Byte offset of the `/*`.
        offset: usize,
    },
    /// A `$tag$ … $tag$` string is never closed.
    UnterminatedDollarQuote {
        /// Byte offset of the opening `$`.
        offset: usize,
        /// The tag, without the dollars (empty for `$$`).
        tag: String,
    },
    /// A quoted token holds a backslash, and where it ends depends on a session setting that
    /// is not known for certain ([`Backslashes::Unknown`], [`DoubleQuotes::StringOrIdentifier`]).
    ModeDependent {
        /// Byte offset of the opening quote.
        offset: usize,
    },
}

impl ScanError {
    /// Byte offset of the opening delimiter that is never closed.
    pub fn offset(&self) -> usize {
        match self {
            ScanError::UnterminatedString { offset }
            | ScanError::UnterminatedIdentifier { offset }
            | ScanError::UnterminatedComment { offset }
            | ScanError::UnterminatedDollarQuote { offset, .. }
            | ScanError::ModeDependent { offset } => *offset,
        }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            ScanError::UnterminatedString { .. } => "string literal",
            ScanError::UnterminatedIdentifier { .. } => "quoted identifier",
            ScanError::UnterminatedComment { .. } => "block comment",
            ScanError::UnterminatedDollarQuote { tag, .. } => {
                return write!(
                    f,
                    "unterminated dollar-quoted string ${tag}$ starting at byte {}",
                    self.offset()
                )
            }
            ScanError::ModeDependent { offset } => {
                return write!(
                    f,
                    "the quoted text starting at byte {offset} holds a backslash, and where it \
                     ends depends on a session setting that cannot be known for certain \
                     (standard_conforming_strings, NO_BACKSLASH_ESCAPES or ANSI_QUOTES); pass \
                     the value as a bind parameter or write the text without a backslash"
                )
            }
        };
        write!(f, "unterminated {what} starting at byte {}", self.offset())
    }
}

impl std::error::Error for ScanError {}

/// Splits `sql` into verbatim text and the placeholders selected by `scan_for`.
///
/// The whole text is always tokenized, so malformed quoting is reported even when `scan_for`
/// selects nothing. Empty input gives an empty `Vec`; input without placeholders gives a single
/// [`Piece::Sql`], and nothing is allocated besides the `Vec`.
///
/// A `$` followed by digits that do not fit in a `usize` is not a bind parameter.
///
/// ```
/// use sequelize::sql::scanner::{scan, Piece, ScanFor};
/// let postgres = sequelize::dialect::by_name("postgres").unwrap().scan_rules();
/// let pieces = scan("WHERE a = :a AND b = ':b'", &postgres, ScanFor::ALL).unwrap();
/// assert_eq!(pieces, [Piece::Sql("WHERE a = "), Piece::Named("a"), Piece::Sql(" AND b = ':b'")]);
/// ```
pub fn scan<'a>(
    sql: &'a str,
    rules: &ScanRules,
    scan_for: ScanFor,
) -> Result<Vec<Piece<'a>>, ScanError> {
    Scanner {
        sql,
        bytes: sql.as_bytes(),
        pos: 0,
        flushed: 0,
        rules: *rules,
        scan_for,
        pieces: Vec::new(),
    }
    .run()
}

/// What a quoted token is, for the error it raises when unterminated.
#[derive(Clone, Copy)]
enum Quoted {
    String,
    Identifier,
}

/// A byte cursor over the SQL. `pos` is always on a char boundary between tokens; every
/// delimiter is ASCII, so slicing at a delimiter never cuts a multi-byte char.
struct Scanner<'a> {
    sql: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Start of the verbatim text not yet pushed as a piece.
    flushed: usize,
    rules: ScanRules,
    scan_for: ScanFor,
    pieces: Vec<Piece<'a>>,
}

impl<'a> Scanner<'a> {
    fn run(mut self) -> Result<Vec<Piece<'a>>, ScanError> {
        let rules = self.rules;
        while let Some(&byte) = self.bytes.get(self.pos) {
            let next = self.byte(self.pos + 1);
            match byte {
                b'\'' => self.skip_quoted(b'\'', rules.backslashes, Quoted::String)?,
                b'"' => {
                    let kind = match rules.double_quotes {
                        DoubleQuotes::Identifier => Quoted::Identifier,
                        _ => Quoted::String,
                    };
                    self.skip_quoted(b'"', rules.double_quote_backslashes(), kind)?
                }
                b'`' if rules.backtick_identifiers => {
                    self.skip_quoted(b'`', Backslashes::Literal, Quoted::Identifier)?
                }
                b'[' if rules.bracket_identifiers => {
                    self.skip_quoted(b']', Backslashes::Literal, Quoted::Identifier)?
                }
                b'-' if next == Some(b'-') && self.dash_comment_starts() => self.skip_line(),
                b'#' if rules.hash_comments => self.skip_line(),
                b'/' if next == Some(b'*') => self.skip_block_comment()?,
                b':' => self.colon(),
                b'?' => self.question_mark(),
                b'$' => self.dollar()?,
                _ => self.other()?,
            }
        }
        if self.flushed < self.bytes.len() {
            let rest = self.slice(self.flushed, self.bytes.len());
            self.pieces.push(Piece::Sql(rest));
        }
        Ok(self.pieces)
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        let sql: &'a str = self.sql;
        sql.get(from..to).unwrap_or_default()
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.sql.get(at..)?.chars().next()
    }

    fn char_before(&self, at: usize) -> Option<char> {
        self.sql.get(..at)?.chars().next_back()
    }

    /// Records a placeholder spanning `start..end`, flushing the verbatim text before it.
    fn emit(&mut self, start: usize, end: usize, piece: Piece<'a>) {
        if self.flushed < start {
            let text = self.slice(self.flushed, start);
            self.pieces.push(Piece::Sql(text));
        }
        self.pieces.push(piece);
        self.flushed = end;
        self.pos = end;
    }

    /// Skips a quoted token opening at `pos`; a doubled `close` (and, with
    /// [`Backslashes::Escape`], a backslash-escaped character) does not close it. With
    /// [`Backslashes::Unknown`] a backslash makes the token's end uncertain: an error.
    fn skip_quoted(
        &mut self,
        close: u8,
        backslashes: Backslashes,
        kind: Quoted,
    ) -> Result<(), ScanError> {
        let start = self.pos;
        let mut at = start + 1;
        while let Some(byte) = self.byte(at) {
            if byte == b'\\' {
                at += match backslashes {
                    Backslashes::Escape => 2,
                    Backslashes::Literal => 1,
                    Backslashes::Unknown => return Err(ScanError::ModeDependent { offset: start }),
                };
            } else if byte == close && self.byte(at + 1) == Some(close) {
                at += 2;
            } else if byte == close {
                self.pos = at + 1;
                return Ok(());
            } else {
                at += 1;
            }
        }
        Err(match kind {
            Quoted::String => ScanError::UnterminatedString { offset: start },
            Quoted::Identifier => ScanError::UnterminatedIdentifier { offset: start },
        })
    }

    /// Whether the `--` at `pos` starts a comment under the dialect's rules.
    fn dash_comment_starts(&self) -> bool {
        !self.rules.dash_comment_requires_space || self.byte(self.pos + 2).is_none_or(|b| b <= b' ')
    }

    /// Skips a line comment, up to and including its newline.
    fn skip_line(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = match rest.iter().position(|&b| b == b'\n') {
            Some(newline) => self.pos + newline + 1,
            None => self.bytes.len(),
        };
    }

    fn skip_block_comment(&mut self) -> Result<(), ScanError> {
        let start = self.pos;
        let mut depth = 1usize;
        let mut at = start + 2;
        while let Some(byte) = self.byte(at) {
            let next = self.byte(at + 1);
            if byte == b'*' && next == Some(b'/') {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    self.pos = at;
                    return Ok(());
                }
            } else if self.rules.nested_block_comments && byte == b'/' && next == Some(b'*') {
                depth += 1;
                at += 2;
            } else {
                at += 1;
            }
        }
        Err(ScanError::UnterminatedComment { offset: start })
    }

    /// `::` (a cast) or a possible `:name` replacement.
    fn colon(&mut self) {
        let start = self.pos;
        if self.byte(start + 1) == Some(b':') {
            self.pos += 2;
            return;
        }
        if self.scan_for.named && self.can_start_placeholder(start) {
            if let Some(end) = self.parameter_name_end(start + 1, false) {
                let name = self.slice(start + 1, end);
                self.emit(start, end, Piece::Named(name));
                return;
            }
        }
        self.pos += 1;
    }

    /// A possible `?` replacement; `?|` and `?&` are PostgreSQL operators.
    fn question_mark(&mut self) {
        let start = self.pos;
        self.pos += 1;
        if self.scan_for.positional
            && self.can_start_placeholder(start)
            && !matches!(self.byte(start + 1), Some(b'|' | b'&'))
        {
            self.emit(start, start + 1, Piece::Positional);
        }
    }

    /// A dollar-quoted string, or a possible `$1` / `$name` bind parameter.
    fn dollar(&mut self) -> Result<(), ScanError> {
        let start = self.pos;
        if self.char_before(start).is_some_and(is_word_char) {
            // Part of an identifier such as `price$` (normally consumed by `other`).
            self.pos += 1;
            return Ok(());
        }
        if self.rules.dollar_quoting {
            if let Some(body) = self.dollar_tag_end(start) {
                let delimiter = self.slice(start, body);
                let rest = self.slice(body, self.bytes.len());
                return match rest.find(delimiter) {
                    Some(found) => {
                        self.pos = body + found + delimiter.len();
                        Ok(())
                    }
                    None => Err(ScanError::UnterminatedDollarQuote {
                        offset: start,
                        tag: self.slice(start + 1, body - 1).to_owned(),
                    }),
                };
            }
        }
        if self.scan_for.bind && self.can_start_placeholder(start) {
            if let Some(end) = self.parameter_name_end(start + 1, true) {
                let name = self.slice(start + 1, end);
                let piece = match name.parse() {
                    Ok(index) => Some(Piece::BindIndex(index)),
                    Err(_) if name.starts_with(|c: char| c.is_ascii_digit()) => None, // overflow
                    Err(_) => Some(Piece::BindName(name)),
                };
                if let Some(piece) = piece {
                    self.emit(start, end, piece);
                    return Ok(());
                }
            }
        }
        self.pos += 1;
        Ok(())
    }

    /// If a dollar-quote delimiter (`$$` or `$tag$`) opens at `start`, the offset just past it.
    fn dollar_tag_end(&self, start: usize) -> Option<usize> {
        let rest = self.sql.get(start + 1..)?;
        for (i, c) in rest.char_indices() {
            if c == '$' {
                return Some(start + 1 + i + 1);
            }
            if !is_word_char(c) || (i == 0 && c.is_ascii_digit()) {
                return None;
            }
        }
        None
    }

    /// Any other character: a whole word (identifier, keyword or number, possibly the `E` of an
    /// `E'…'` string), or a single character of punctuation or whitespace.
    fn other(&mut self) -> Result<(), ScanError> {
        let rest = self.slice(self.pos, self.bytes.len());
        let Some(first) = rest.chars().next() else {
            self.pos = self.bytes.len();
            return Ok(());
        };
        if !is_word_char(first) {
            self.pos += first.len_utf8();
            return Ok(());
        }
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_word_char(c) && c != '$')
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        if self.rules.escape_string_prefix
            && matches!(rest.get(..len), Some("E" | "e"))
            && self.byte(self.pos) == Some(b'\'')
        {
            self.skip_quoted(b'\'', Backslashes::Escape, Quoted::String)?;
        }
        Ok(())
    }

    /// Placeholders must follow whitespace, punctuation that cannot end a word (`(`, `[`,
    /// `,`), an operator character, or the start of the text. Sequelize accepts only
    /// `( [ > , =`; the operators are added so that `-:a` and `a+:b` are placeholders too
    /// (`reference/security.md` V7), while `x:a`, `$1:a` and casts are still not.
    fn can_start_placeholder(&self, at: usize) -> bool {
        self.char_before(at).is_none_or(|c| {
            c.is_whitespace() || matches!(c, '(' | '[' | ',') || is_operator_char(c)
        })
    }

    /// The end of a placeholder name starting at `from` (`[A-Za-z_][A-Za-z0-9_]*`, or with
    /// `allow_index` also `[1-9][0-9]*`), if the name is followed by an allowed terminator.
    fn parameter_name_end(&self, from: usize, allow_index: bool) -> Option<usize> {
        let first = self.byte(from)?;
        let continues: fn(&u8) -> bool = if first.is_ascii_alphabetic() || first == b'_' {
            |b| b.is_ascii_alphanumeric() || *b == b'_'
        } else if allow_index && matches!(first, b'1'..=b'9') {
            u8::is_ascii_digit
        } else {
            return None;
        };
        let mut end = from + 1;
        while self.bytes.get(end).is_some_and(continues) {
            end += 1;
        }
        let terminated = match self.byte(end) {
            None | Some(b')' | b']' | b',' | b';') => true,
            Some(b':') => self.byte(end + 1) == Some(b':'),
            Some(_) => self
                .char_at(end)
                .is_some_and(|c| c.is_whitespace() || is_operator_char(c)),
        };
        terminated.then_some(end)
    }
}

/// Characters of SQL operators, around which a placeholder may stand.
fn is_operator_char(c: char) -> bool {
    matches!(
        c,
        '=' | '<' | '>' | '!' | '-' | '+' | '*' | '/' | '%' | '|' | '&' | '^' | '~'
    )
}

/// Characters of unquoted identifiers, keywords and numbers (a `$` may continue a word too).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The three dialects' lexing conventions, as their folders under `dialect/` define them.
    const SQLITE: ScanRules = ScanRules {
        backtick_identifiers: true,
        bracket_identifiers: true,
        ..ScanRules::ANSI
    };
    const PG: ScanRules = ScanRules {
        escape_string_prefix: true,
        dollar_quoting: true,
        nested_block_comments: true,
        ..ScanRules::ANSI
    };
    const MYSQL: ScanRules = ScanRules {
        backslashes: Backslashes::Escape,
        double_quotes: DoubleQuotes::StringOrIdentifier,
        backtick_identifiers: true,
        hash_comments: true,
        dash_comment_requires_space: true,
        ..ScanRules::ANSI
    };
    /// PostgreSQL with `standard_conforming_strings = off`.
    const PG_NO_SCS: ScanRules = PG.with_backslashes(Backslashes::Escape);
    const ALL_RULES: [ScanRules; 3] = [SQLITE, PG, MYSQL];

    /// Renders pieces back to source form; must reproduce the scanned text exactly.
    fn render(pieces: &[Piece<'_>]) -> String {
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Sql(text) => out.push_str(text),
                Piece::Positional => out.push('?'),
                Piece::Named(name) => out.push_str(&format!(":{name}")),
                Piece::BindIndex(index) => out.push_str(&format!("${index}")),
                Piece::BindName(name) => out.push_str(&format!("${name}")),
            }
        }
        out
    }

    /// The placeholders found, in source form and separated by spaces, or `kind@offset` for an
    /// error (the kind is `string`, `ident`, `comment`, `mode` for a mode-dependent token, or
    /// the dollar-quote delimiter).
    fn outcome(sql: &str, rules: &ScanRules, scan_for: ScanFor) -> String {
        match scan(sql, rules, scan_for) {
            Ok(pieces) => {
                let found = pieces.iter().filter(|p| !matches!(p, Piece::Sql(_)));
                let found: Vec<_> = found.map(|p| render(std::slice::from_ref(p))).collect();
                found.join(" ")
            }
            Err(err) => {
                let kind = match &err {
                    ScanError::UnterminatedString { .. } => "string".to_owned(),
                    ScanError::UnterminatedIdentifier { .. } => "ident".to_owned(),
                    ScanError::UnterminatedComment { .. } => "comment".to_owned(),
                    ScanError::UnterminatedDollarQuote { tag, .. } => format!("${tag}$"),
                    ScanError::ModeDependent { .. } => "mode".to_owned(),
                };
                format!("{kind}@{}", err.offset())
            }
        }
    }

    /// `(sql, outcome on [SQLite, PostgreSQL, MySQL])`, see [`outcome`].
    type Case = (&'static str, [&'static str; 3]);

    /// Checks every case on every dialect, scanning for everything; reports all mismatches.
    fn check(cases: &[Case]) {
        let mut failures = Vec::new();
        for (sql, expected) in cases {
            for ((name, rules), want) in ["sqlite", "postgres", "mysql"]
                .iter()
                .zip(ALL_RULES)
                .zip(expected)
            {
                let got = outcome(sql, &rules, ScanFor::ALL);
                if got != *want {
                    failures.push(format!("{sql:?} on {name}: got {got:?}, want {want:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn named_replacements_skip_quoted_text() {
        let ticks = "SELECT `:id` FROM t WHERE id = ':id' OR id = :id OR id = ''':id'''";
        let quotes = "SELECT \":id\" FROM t WHERE id = ':id' OR id = :id OR id = ''':id'''";
        let cases = [
            (MYSQL, ticks),
            (SQLITE, ticks),
            (SQLITE, quotes),
            (PG, quotes),
        ];
        for (rules, sql) in cases {
            let at = sql.find("= :id").unwrap() + 2;
            let (before, after) = (&sql[..at], &sql[at + 3..]);
            let expected = [Piece::Sql(before), Piece::Named("id"), Piece::Sql(after)];
            assert_eq!(scan(sql, &rules, ScanFor::ALL).unwrap(), expected, "{sql}");
        }
    }

    #[test]
    fn named_replacement_terminators_and_casts() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("WHERE id = :id::string", [":id"; 3]),
            ("WHERE json_col->>:key", [":key"; 3]),
            ("WHERE id = :id;", [":id"; 3]),
            ("fn(:a) OR fn('a',:b) OR id=:c", [":a :b :c"; 3]),
            (":a", [":a"; 3]),
            ("('foo')::string OR x::int = ::int", [""; 3]),
            ("a:id OR :id: OR :1 OR :idé", [""; 3]),
            // Operators around placeholders (security.md V7): `- -42`, never `--42`.
            ("result=-:a OR n=:b+1 OR :c*2", [":a :b :c"; 3]),
            ("SET @a:=:id", [":id"; 3]),
            // In SQLite `[…]` is a quoted identifier.
            ("ARRAY[:a, :b]::int[] OR ARRAY[:a,:b]", ["", ":a :b :a :b", ":a :b :a :b"]),
        ];
        check(cases);
    }

    #[test]
    fn dollar_signs() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // A `$` right after an identifier character belongs to the identifier.
            ("WHERE id$id = 1 OR x$1 = 2", [""; 3]),
            ("SELECT z$$ :id x$$ * FROM t", [":id"; 3]),
            ("SELECT z$$ $id x$$", ["$id"; 3]),
            ("SELECT é$1, \"a\"$1", [""; 3]),
            // Dollar quotes exist on PostgreSQL only.
            ("id = $tag$ :id $tag$ OR id = $$ :id $$", [":id :id", "", ":id :id"]),
            ("id = $tag1$ $tag2$ :id $tag2$ $tag1$", [":id", "", ":id"]),
            ("$$ ? $$ OR $a$ $A$ :id $a$ OR $é$ :id $é$", ["? :id :id", "", "? :id :id"]),
            ("SELECT $$ abc $$ AS s WHERE id = :id AND x = $1", [":id $1"; 3]),
            ("SELECT $tag$ :id $TAG$", [":id", "$tag$@7", ":id"]),
            ("x = $$ :id", [":id", "$$@4", ":id"]),
            // Bind parameters.
            ("$1 = $2 AND n = $name AND s = '$1'", ["$1 $2 $name"; 3]),
            ("c = $param::string OR x = $12;", ["$param $12"; 3]),
            ("x = $0 OR x = $01 OR x = $a.b", [""; 3]),
            ("x = $99999999999999999999999", [""; 3]),
            ("id = ARRAY[$id1]::int[];", ["", "$id1", "$id1"]),
        ];
        check(cases);
        let pieces = scan("$1", &PG, ScanFor::BIND).unwrap();
        assert_eq!(pieces, [Piece::BindIndex(1)]);
    }

    #[test]
    fn backslash_escapes_and_e_strings() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (r"id = '\' :id' OR id = :id", ["string@12", "string@12", ":id"]),
            (r"id = E'\' :id' OR id = :id", ["string@13", ":id", ":id"]),
            (r"id = e'\' :id' OR id = :id", ["string@13", ":id", ":id"]),
            // `AE'…'` is not an E-string: the backslash escapes nothing.
            (r"id = AE'\' OR id = :id", [":id", ":id", "string@7"]),
            (r"id = '\\' OR id = :id", [":id"; 3]),
            (r"id = '\\\' ?' OR id = ?", ["string@12", "string@12", "?"]),
            // MySQL: `"…"` may be a string or (ANSI_QUOTES) an identifier, which end at
            // different quotes when a backslash escapes one.
            (r#"a = "\" :x" OR b = :id"#, ["ident@10", "ident@10", "mode@4"]),
        ];
        check(cases);
        let no_scs = |sql| outcome(sql, &PG_NO_SCS, ScanFor::ALL);
        assert_eq!(no_scs(r"id = '\' :id' OR id = :id"), ":id");
        assert_eq!(no_scs(r"id = '\\\' ?' OR id = ?"), "?");
    }

    #[test]
    fn session_string_modes() {
        let under = |sql, rules: ScanRules, backslashes| {
            outcome(sql, &rules.with_backslashes(backslashes), ScanFor::ALL)
        };
        use Backslashes::{Escape, Literal, Unknown};
        // The same text has its placeholder outside a literal in one mode and inside in the
        // other; with the mode unknown it is refused.
        let sql = r"SELECT 'a\' AS x, :v AS y -- '";
        for rules in [PG, MYSQL] {
            assert_eq!(under(sql, rules, Literal), ":v");
            assert_eq!(under(sql, rules, Escape), "");
            assert_eq!(under(sql, rules, Unknown), "mode@7");
        }
        // Without a backslash the mode does not matter, and nothing is refused.
        assert_eq!(under("SELECT 'a''b', :v", PG, Unknown), ":v");
        // PostgreSQL's E'…' always escapes; MySQL has no E'…': there `E` is a word.
        let e_string = r"SELECT E'\' , :v -- '";
        assert_eq!(under(e_string, PG, Unknown), "");
        assert_eq!(under(e_string, MYSQL, Literal), ":v");
        assert_eq!(under(e_string, MYSQL, Escape), "");
        // MySQL's `"…"` reads the same as a string and as an identifier when backslashes do
        // not escape.
        let double = r#"SELECT "a\" , :v , "b""#;
        assert_eq!(under(double, MYSQL, Literal), ":v");
        assert_eq!(under(double, MYSQL, Escape), "mode@7");
        assert_eq!(under(double, SQLITE, Unknown), ":v");
        let message = scan(sql, &PG.with_backslashes(Unknown), ScanFor::ALL)
            .unwrap_err()
            .to_string();
        assert!(message.contains("standard_conforming_strings"), "{message}");
    }

    #[test]
    fn comments_are_skipped() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("FROM t -- WHERE id = :id\nWHERE id = :id", [":id"; 3]),
            ("FROM t /* WHERE id = :id\n */ WHERE id = :id", [":id"; 3]),
            ("SELECT /* ' */ :id", [":id"; 3]),
            ("-- '\nWHERE id = ' :id ' AND x = :id", [":id"; 3]),
            ("SELECT 1 --\n, :id", [":id"; 3]),
            ("SELECT 1 /* :id", ["comment@9"; 3]),
            // `#` comments are MySQL's; elsewhere `#` is an operator.
            ("SELECT a # :id '\n, :id", ["string@15", "string@15", ":id"]),
            // MySQL needs whitespace after `--`: `5--1` is a subtraction.
            ("SELECT 5--1, :id", ["", "", ":id"]),
            // PostgreSQL block comments nest.
            ("/* /* */ :id */ :x", [":id :x", ":x", ":id :x"]),
        ];
        check(cases);
    }

    #[test]
    fn positional_replacements() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("SELECT `?` , '?', ?, '''?''', ?", ["? ?"; 3]),
            ("SELECT \"?\" , '?', ?, '''?''', ?", ["? ?"; 3]),
            ("tags ?& ARRAY[1] AND tags ?| ARRAY[1] AND id = ?;", ["?"; 3]),
            ("fn(?) OR fn('a',?) OR x=? OR a? OR x->>? OR ?::int", ["? ? ? ? ?"; 3]),
        ];
        check(cases);
        for rules in ALL_RULES {
            let pieces = scan("id = ?;", &rules, ScanFor::ALL).unwrap();
            assert_eq!(
                pieces,
                [Piece::Sql("id = "), Piece::Positional, Piece::Sql(";")]
            );
        }
    }

    #[test]
    fn scan_for_selects_placeholder_kinds() {
        let sql = "a = :id AND b = ? AND c = $1 AND d = $name";
        let nothing = ScanFor::NOTHING;
        let named = ScanFor {
            named: true,
            ..ScanFor::NOTHING
        };
        for rules in ALL_RULES {
            assert_eq!(scan(sql, &rules, nothing).unwrap(), [Piece::Sql(sql)]);
            assert_eq!(outcome(sql, &rules, ScanFor::REPLACEMENTS), ":id ?");
            assert_eq!(outcome(sql, &rules, named), ":id");
            assert_eq!(outcome(sql, &rules, ScanFor::BIND), "$1 $name");
            // Malformed quoting is reported even when nothing is scanned for.
            assert_eq!(outcome("'open", &rules, nothing), "string@0");
        }
    }

    #[test]
    fn doubled_quotes_do_not_close() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("\"a\"\" :x\" = :id AND s = 'it''s :x'", [":id"; 3]),
            ("`a`` :x` = :id", [":id"; 3]),
            ("[a]] :x] = :id", [":id", ":x :id", ":x :id"]),
            ("SELECT \"a\"\" = :id", ["ident@7", "ident@7", "string@7"]),
            ("SELECT [a = :id", ["ident@7", ":id", ":id"]),
            ("SELECT `a = :id", ["ident@7", ":id", "ident@7"]),
        ];
        check(cases);
    }

    #[test]
    fn multibyte_text() {
        let sql = "WHERE s = 'é :id' AND 🦀 = :id AND \u{3000}:x";
        let expected = [
            Piece::Sql("WHERE s = 'é :id' AND 🦀 = "),
            Piece::Named("id"),
            Piece::Sql(" AND \u{3000}"),
            Piece::Named("x"),
        ];
        for rules in ALL_RULES {
            assert_eq!(scan(sql, &rules, ScanFor::ALL).unwrap(), expected);
        }
        check(&[
            (r"x = E'\é' AND y = ?", ["?"; 3]),
            ("é = 'ü", ["string@5"; 3]),
        ]);
    }

    #[test]
    fn verbatim_text_is_merged() {
        let plain = "SELECT 'a', \"b\" -- c\n/* d */ FROM t WHERE x::int = 1";
        let (a, b) = (Piece::Named("a"), Piece::Named("b"));
        let list = [Piece::Sql("("), a, Piece::Sql(","), b, Piece::Sql(")")];
        for rules in ALL_RULES {
            assert_eq!(scan("", &rules, ScanFor::ALL).unwrap(), []);
            assert_eq!(
                scan(plain, &rules, ScanFor::ALL).unwrap(),
                [Piece::Sql(plain)]
            );
            assert_eq!(scan("(:a,:b)", &rules, ScanFor::ALL).unwrap(), list);
        }
    }

    #[test]
    fn errors_carry_kind_offset_and_message() {
        let message = |sql, rules| scan(sql, &rules, ScanFor::ALL).unwrap_err().to_string();
        assert_eq!(
            message("x = 'a", PG),
            "unterminated string literal starting at byte 4"
        );
        assert_eq!(
            message("a, `b", MYSQL),
            "unterminated quoted identifier starting at byte 3"
        );
        assert_eq!(
            message("/* :id", SQLITE),
            "unterminated block comment starting at byte 0"
        );
        let dollar = "unterminated dollar-quoted string $fn$ starting at byte 4";
        assert_eq!(message("x = $fn$ 1", PG), dollar);
        let err = scan("x = $fn$ 1", &PG, ScanFor::ALL).unwrap_err();
        let tag = String::from("fn");
        assert_eq!(err, ScanError::UnterminatedDollarQuote { offset: 4, tag });
    }

    /// No empty and no adjacent `Sql` pieces.
    fn well_formed(pieces: &[Piece<'_>]) -> bool {
        let adjacent = |w: &[Piece<'_>]| matches!(w, [Piece::Sql(_), Piece::Sql(_)]);
        !pieces.contains(&Piece::Sql("")) && !pieces.windows(2).any(adjacent)
    }

    /// Every combination of three fragments, on every dialect: the pieces render back to the input
    /// exactly, are well formed, and nothing panics.
    #[test]
    fn pieces_round_trip_over_generated_inputs() {
        const FRAGMENTS: [&str; 26] = [
            ":id", " ", "?", "$1", "$name", "'a'", "'", "\"", "`", "[", "]", "--", "\n", "/*",
            "*/", "$$", "$t$", "é", "🦀", "::", "(", "\\", "E", "#", "=", "x",
        ];
        let mut scanned = 0usize;
        for n in 0..FRAGMENTS.len().pow(3) {
            let (a, b, c) = (n / 676, n / 26 % 26, n % 26);
            let sql = [FRAGMENTS[a], FRAGMENTS[b], FRAGMENTS[c]].concat();
            for rules in [SQLITE, PG, MYSQL, PG_NO_SCS] {
                for scan_for in [ScanFor::ALL, ScanFor::REPLACEMENTS, ScanFor::BIND] {
                    if let Ok(pieces) = scan(&sql, &rules, scan_for) {
                        scanned += 1;
                        assert_eq!(render(&pieces), sql, "{rules:?}");
                        assert!(well_formed(&pieces), "{sql:?}, {rules:?}: {pieces:?}");
                    }
                }
            }
        }
        assert!(scanned > 100_000, "too few inputs scanned: {scanned}");
    }
}
