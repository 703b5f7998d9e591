"""Derived-metric formulas: arithmetic over other metric codes, kept as data on the Metric and compiled to SQL.

A formula is `+ - * /`, unary minus, numbers, parentheses and metric codes, e.g. `(revenue - cost) * 100 / revenue`.
Division by zero gives no value (SQL `NULLIF(divisor, 0)`), like every other zero base in the snapshots. A formula
may use another derived metric; its formula is inlined, and a cycle is refused.
"""
import ast
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_FORMULA_DEPTH = 8
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class FormulaError(ValueError):
    """The formula is not arithmetic over known metric codes, or refers to itself."""


@dataclass(frozen=True)
class DerivedSql:
    """A derived metric's SQL expression over pivoted columns `v<metric id>`, and the base metrics it needs."""

    metric_id: int
    expression: str
    base_ids: tuple[int, ...]


def parse_formula(text: str, *, own_code: str | None = None) -> ast.expr:
    """Parse and check the grammar; returns the expression tree."""
    try:
        tree = ast.parse((text or "").strip(), mode="eval").body
    except SyntaxError as error:
        raise FormulaError(_("公式无法解析：%(text)s") % {"text": text}) from error
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and own_code and node.id == own_code:
            raise FormulaError(_("公式不能引用指标自身。"))
        if not isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.USub, ast.UAdd,
                                 *_OPERATORS)):
            raise FormulaError(_("公式只能包含指标代码、数字、+ - * / 和括号。"))
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool)
                                               or not isinstance(node.value, (int, float))):
            raise FormulaError(_("公式只能包含指标代码、数字、+ - * / 和括号。"))
    return tree


def formula_codes(tree: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def check_references(tree: ast.expr, *, own_code: str, definitions: dict[str, str | None]) -> None:
    """Every code must be a metric (`definitions`: code → formula, None for a base metric), with no cycle."""
    unknown = sorted(formula_codes(tree) - set(definitions))
    if unknown:
        raise FormulaError(_("公式引用了未知指标：%(codes)s") % {"codes": ", ".join(unknown)})
    _expand(tree, {**definitions, own_code: ast.unparse(tree)}, (own_code,))


def _expand(tree: ast.expr, definitions: dict[str, str | None], path: tuple[str, ...]) -> ast.expr:
    """Inline derived metrics into base codes, refusing cycles."""
    if len(path) > MAX_FORMULA_DEPTH:
        raise FormulaError(_("公式嵌套过深。"))

    class Inline(ast.NodeTransformer):
        def visit_Name(self, node):
            formula = definitions.get(node.id)
            if formula is None:
                return node
            if node.id in path:
                raise FormulaError(_("公式存在循环引用：%(path)s") % {"path": " → ".join((*path, node.id))})
            return _expand(parse_formula(formula), definitions, (*path, node.id))

    return Inline().visit(tree)


def _to_sql(node: ast.expr, ids: dict[str, int]) -> str:
    if isinstance(node, ast.Name):
        return f"v{ids[node.id]}"
    if isinstance(node, ast.Constant):
        return repr(float(node.value))
    if isinstance(node, ast.UnaryOp):
        return f"(-{_to_sql(node.operand, ids)})" if isinstance(node.op, ast.USub) else _to_sql(node.operand, ids)
    left, right = _to_sql(node.left, ids), _to_sql(node.right, ids)
    if isinstance(node.op, ast.Div):
        return f"({left} / NULLIF({right}, 0))"
    return f"({left} {_OPERATORS[type(node.op)]} {right})"


def derived_sql(metrics: list[tuple[int, str, str, str]]) -> list[DerivedSql]:
    """From (id, code, aggregation, formula) of every metric, the SQL of each derived metric whose formula is valid.

    A derived metric with a broken formula (e.g. edited straight in the database) gets no snapshot rather than
    failing the whole computation.
    """
    ids = {code: pk for pk, code, _agg, _formula in metrics}
    definitions = {code: (formula if agg == "derived" else None) for _pk, code, agg, formula in metrics}
    compiled = []
    for pk, code, agg, formula in metrics:
        if agg != "derived":
            continue
        try:
            tree = _expand(parse_formula(formula, own_code=code), definitions, (code,))
            codes = formula_codes(tree)
            if not codes or codes - set(ids):
                continue
        except FormulaError:
            continue
        compiled.append(DerivedSql(pk, _to_sql(tree, ids), tuple(sorted(ids[c] for c in codes))))
    return compiled
