//! Expressions: columns, bound values, comparisons and the boolean connectives.

use std::borrow::Cow;

use crate::value::Value;

/// An unquoted SQL identifier (table, column, alias, index name).
///
/// It is always quoted by the renderer, with the dialect's quote character doubled inside, so
/// any text is safe here.
///
/// ```
/// use sequelize::sql::Ident;
/// let id: Ident = "first_name".into();
/// assert_eq!(id.as_str(), "first_name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident(pub Cow<'static, str>);

impl Ident {
    /// The name, unquoted.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for Ident {
    fn from(s: &'static str) -> Self {
        Ident(Cow::Borrowed(s))
    }
}

impl From<String> for Ident {
    fn from(s: String) -> Self {
        Ident(Cow::Owned(s))
    }
}

impl From<&String> for Ident {
    fn from(s: &String) -> Self {
        Ident(Cow::Owned(s.clone()))
    }
}

/// A comparison operator. The set is closed: operators never come from strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `=`
    Eq,
    /// `<>` (`!=`)
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `LIKE`
    Like,
    /// `NOT LIKE`
    NotLike,
}

impl BinaryOp {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            BinaryOp::Eq => " = ",
            BinaryOp::Ne => " <> ",
            BinaryOp::Gt => " > ",
            BinaryOp::Gte => " >= ",
            BinaryOp::Lt => " < ",
            BinaryOp::Lte => " <= ",
            BinaryOp::Like => " LIKE ",
            BinaryOp::NotLike => " NOT LIKE ",
        }
    }
}

/// An SQL expression.
///
/// ```
/// use sequelize::sql::Expr;
/// let e = Expr::column("age").gte(18).and(Expr::column("name").is_null().not());
/// assert!(matches!(e, Expr::And(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column, optionally qualified by a table or alias.
    Column {
        /// The qualifying table or alias.
        table: Option<Ident>,
        /// The column name.
        name: Ident,
    },
    /// A value, sent as a bound parameter.
    Value(Value),
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// All of these hold; an empty list is `TRUE`.
    And(Vec<Expr>),
    /// Any of these holds; an empty list is `FALSE`.
    Or(Vec<Expr>),
    /// `NOT (…)`.
    Not(Box<Expr>),
    /// `expr IS NULL`, or `IS NOT NULL` when negated.
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// `IS NOT NULL` when true.
        negated: bool,
    },
    /// `expr IN (…)`, or `NOT IN` when negated. An empty list is `FALSE` (`IN`) or `TRUE`
    /// (`NOT IN`), never a syntax error.
    InList {
        /// The tested expression.
        expr: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
        /// `NOT IN` when true.
        negated: bool,
    },
    /// Developer-written SQL, inserted verbatim. Never build this from user input; the name
    /// of the constructor ([`Expr::literal_unchecked`]) is there to be found by grep.
    Literal(Cow<'static, str>),
}

impl Expr {
    /// An unqualified column.
    pub fn column(name: impl Into<Ident>) -> Expr {
        Expr::Column {
            table: None,
            name: name.into(),
        }
    }

    /// A column qualified by a table or alias.
    pub fn qualified(table: impl Into<Ident>, name: impl Into<Ident>) -> Expr {
        Expr::Column {
            table: Some(table.into()),
            name: name.into(),
        }
    }

    /// A bound value.
    pub fn value(v: impl Into<Value>) -> Expr {
        Expr::Value(v.into())
    }

    /// Raw SQL written by the developer. Only `'static` text is accepted, so a string built
    /// at run time (from user input) cannot be passed by accident.
    ///
    /// ```
    /// let e = sequelize::sql::Expr::literal_unchecked("CURRENT_TIMESTAMP");
    /// ```
    pub fn literal_unchecked(sql: &'static str) -> Expr {
        Expr::Literal(Cow::Borrowed(sql))
    }

    fn binary(self, op: BinaryOp, right: impl Into<Value>) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(self),
            right: Box::new(Expr::Value(right.into())),
        }
    }

    /// `self = v`
    pub fn eq(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Eq, v)
    }
    /// `self <> v`
    pub fn ne(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Ne, v)
    }
    /// `self > v`
    pub fn gt(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Gt, v)
    }
    /// `self >= v`
    pub fn gte(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Gte, v)
    }
    /// `self < v`
    pub fn lt(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Lt, v)
    }
    /// `self <= v`
    pub fn lte(self, v: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Lte, v)
    }
    /// `self LIKE pattern`
    pub fn like(self, pattern: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::Like, pattern)
    }
    /// `self NOT LIKE pattern`
    pub fn not_like(self, pattern: impl Into<Value>) -> Expr {
        self.binary(BinaryOp::NotLike, pattern)
    }
    /// `self IN (values…)`
    pub fn is_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        Expr::InList {
            expr: Box::new(self),
            list: values.into_iter().map(|v| Expr::Value(v.into())).collect(),
            negated: false,
        }
    }
    /// `self NOT IN (values…)`
    pub fn not_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        match self.is_in(values) {
            Expr::InList { expr, list, .. } => Expr::InList {
                expr,
                list,
                negated: true,
            },
            _ => unreachable!("is_in builds an InList"),
        }
    }
    /// `self IS NULL`
    pub fn is_null(self) -> Expr {
        Expr::IsNull {
            expr: Box::new(self),
            negated: false,
        }
    }
    /// `self IS NOT NULL`
    pub fn is_not_null(self) -> Expr {
        Expr::IsNull {
            expr: Box::new(self),
            negated: true,
        }
    }
    /// `self AND other` (flattens nested `AND`s).
    pub fn and(self, other: Expr) -> Expr {
        match self {
            Expr::And(mut items) => {
                items.push(other);
                Expr::And(items)
            }
            first => Expr::And(vec![first, other]),
        }
    }
    /// `self OR other` (flattens nested `OR`s).
    pub fn or(self, other: Expr) -> Expr {
        match self {
            Expr::Or(mut items) => {
                items.push(other);
                Expr::Or(items)
            }
            first => Expr::Or(vec![first, other]),
        }
    }
    /// `NOT self`
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
    /// `self ASC` for `ORDER BY`.
    pub fn asc(self) -> OrderBy {
        OrderBy {
            expr: self,
            direction: Direction::Asc,
        }
    }
    /// `self DESC` for `ORDER BY`.
    pub fn desc(self) -> OrderBy {
        OrderBy {
            expr: self,
            direction: Direction::Desc,
        }
    }
}

/// A sort direction. Closed set: directions never come from strings (CVE-2015-1369).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// One `ORDER BY` term.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// What is sorted on.
    pub expr: Expr,
    /// Which way.
    pub direction: Direction,
}
