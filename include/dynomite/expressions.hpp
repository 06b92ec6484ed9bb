// Expressions: document paths, placeholders, conditions, updates and "field.op" keys.
#pragma once

#include <dynomite/condition.hpp>
#include <dynomite/document_path.hpp>
#include <dynomite/expression_context.hpp>
#include <dynomite/field_operator.hpp>
#include <dynomite/update_expression.hpp>
