#!/usr/bin/env python3
"""Generates the DynamoDB operations the client does not declare by hand, from AWS's service
model (botocore's service-2.json): their request and response structures with the shapes
nested in them, enumerations with their wire names, Boost.Describe descriptions for the
generic encoder and decoder, and the X-list DYNOMITE_GENERATED_OPERATIONS.

    scripts/generate_operations.py                 writes the files into the source tree
    scripts/generate_operations.py --check         fails when the committed files differ
    scripts/generate_operations.py --out DIR       writes them under DIR instead

Operations newer than that model come from scripts/service-model-additions.json (botocore's
format), merged in; an operation or shape of the additions that the model already has stops the
script, so that a newer botocore shows which additions can go.

Shapes the hand-written headers already declare are reused (REUSED); every other shape gets a
snake_case type of its own.
"""

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
import textwrap

MODEL = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDITIONS = os.path.join(ROOT, "scripts", "service-model-additions.json")

HEADER = "include/dynomite/protocol/generated_operations.hpp"
FAMILY_HEADERS = "include/dynomite/protocol/generated/{}.hpp"
SHARED = "shapes"  # the header of the enumerations and of structures several families hold
LIST = "include/dynomite/protocol/detail/generated_operation_list.hpp"
DESCRIPTIONS = "src/protocol/generated_descriptions.hpp"
ENUM_NAMES = "src/protocol/generated_enum_names.cpp"

# Operations declared by hand (include/dynomite/protocol/detail/operation_list.hpp).
HAND_WRITTEN = {
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
    "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "CreateTable", "UpdateTable",
    "DeleteTable", "DescribeTable", "ListTables", "UpdateTimeToLive", "DescribeTimeToLive",
    "ExecuteStatement", "BatchExecuteStatement",
}

# The member_rule (src/protocol/request_description.hpp) of the shapes of the members the model
# marks idempotencyToken: the client makes one up when the caller gives none.
TOKEN_RULES = {"ClientRequestToken": "idempotency_token", "ClientToken": "client_token"}

# Each generated operation's header, by family: one header for all of them would hold
# about 900 lines.
FAMILIES = {
    "backups": ("Backups and point-in-time recovery", [
        "CreateBackup", "DeleteBackup", "DescribeBackup", "ListBackups", "RestoreTableFromBackup",
        "DescribeContinuousBackups", "UpdateContinuousBackups", "RestoreTableToPointInTime"]),
    "global_tables": ("Global tables (version 2017) and replica auto scaling", [
        "CreateGlobalTable", "DescribeGlobalTable", "DescribeGlobalTableSettings",
        "ListGlobalTables", "UpdateGlobalTable", "UpdateGlobalTableSettings",
        "DescribeTableReplicaAutoScaling", "UpdateTableReplicaAutoScaling"]),
    "exports_imports": ("Exports to and imports from S3", [
        "ExportTableToPointInTime", "DescribeExport", "ListExports", "ImportTable",
        "DescribeImport", "ListImports"]),
    "kinesis_destinations": ("Kinesis Data Streams destinations", [
        "EnableKinesisStreamingDestination", "DisableKinesisStreamingDestination",
        "DescribeKinesisStreamingDestination", "UpdateKinesisStreamingDestination"]),
    "resource_metadata": ("Tags, resource policies and contributor insights", [
        "TagResource", "UntagResource", "ListTagsOfResource", "GetResourcePolicy",
        "PutResourcePolicy", "DeleteResourcePolicy", "DescribeContributorInsights",
        "ListContributorInsights", "UpdateContributorInsights"]),
    "service": ("Account limits, endpoints and PartiQL transactions", [
        "DescribeLimits", "DescribeEndpoints", "ExecuteTransaction"]),
}

# Shapes with a hand-written type: structures, maps and enumerations.
REUSED = {
    "AttributeValue": "attribute_value",
    "AttributeMap": "attribute_map",
    "ItemResponse": "item_response",
    "ConsumedCapacity": "consumed_capacity",
    "Capacity": "capacity",
    "TableDescription": "table_description",
    "KeySchemaElement": "key_schema_element",
    "AttributeDefinition": "attribute_definition",
    "Projection": "projection",
    "ProvisionedThroughput": "provisioned_throughput",
    "ProvisionedThroughputDescription": "provisioned_throughput_description",
    "OnDemandThroughput": "on_demand_throughput",
    "GlobalSecondaryIndex": "global_secondary_index",
    "LocalSecondaryIndex": "local_secondary_index",
    "GlobalSecondaryIndexDescription": "global_secondary_index_description",
    "LocalSecondaryIndexDescription": "local_secondary_index_description",
    "StreamSpecification": "stream_specification",
    "SSESpecification": "sse_specification",
    "SSEDescription": "sse_description",
    "Tag": "tag",
    "TimeToLiveDescription": "time_to_live_description",
    "BillingModeSummary": "billing_mode_summary",
    "TableClassSummary": "table_class_summary",
    "ArchivalSummary": "archival_summary",
    "BillingMode": "billing_mode",
    "TableStatus": "table_status",
    "KeyType": "key_type",
    "ScalarAttributeType": "scalar_attribute_type",
    "ProjectionType": "projection_type",
    "IndexStatus": "index_status",
    "StreamViewType": "stream_view_type",
    "SSEType": "sse_type",
    "SSEStatus": "sse_status",
    "TimeToLiveStatus": "time_to_live_status",
    "TableClass": "table_class",
    "ReturnConsumedCapacity": "return_consumed_capacity",
    "ReturnItemCollectionMetrics": "return_item_collection_metrics",
    "ReturnValuesOnConditionCheckFailure": "return_values_on_condition_check_failure",
    "ReturnValue": "return_values",
    "Select": "select_attributes",
}

# Shapes whose snake_case name a hand-written header already uses for something else.
RENAMED = {
    "Endpoint": "discovered_endpoint",
}

KEYWORDS = {
    "delete", "default", "export", "new", "class", "public", "private", "protected", "operator",
    "template", "typename", "namespace", "union", "switch", "case", "register", "enum", "struct",
    "this", "throw", "try", "catch", "return", "const", "static", "virtual", "friend", "inline",
    "auto", "bool", "char", "int", "long", "short", "double", "float", "void", "true", "false",
    "and", "or", "not", "xor", "if", "else", "for", "while", "do", "break", "continue", "goto",
    "sizeof", "typedef", "using", "volatile", "explicit", "mutable", "extern", "signed",
    "unsigned", "concept", "requires", "module", "import",
}

ACRONYMS = {"sse", "kms"}  # written in capitals by the descriptions' PascalCase (pascal_case)


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def pascal(snake_name):
    """What request_description.hpp's pascal_case makes of a member name."""
    words = [w for w in snake_name.split("_") if w]
    return "".join(w.upper() if w in ACRONYMS else w[0].upper() + w[1:] for w in words)


def enumerator(value):
    name = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").lower()
    if not name or name[0].isdigit():
        name = "v_" + name
    if name in KEYWORDS:
        name += "_"
    return name


def existing_names():
    """Type names the hand-written public headers declare in namespace dynomite."""
    names = set()
    pattern = re.compile(r"^\s*(?:struct|class|enum class|using)\s+(\w+)", re.M)
    for folder, _, files in os.walk(os.path.join(ROOT, "include", "dynomite")):
        for f in files:
            path = os.path.join(folder, f)
            generated = f.startswith("generated_") or os.path.basename(folder) == "generated"
            if f.endswith(".hpp") and not generated:
                with open(path, encoding="utf-8") as text:
                    names.update(pattern.findall(text.read()))
    return names


class Generator:
    def __init__(self, model):
        self.shapes = model["shapes"]
        self.operations = [
            name for name in sorted(model["operations"]) if name not in HAND_WRITTEN
        ]
        self.model = model
        self.taken = existing_names()
        self.structs = []  # (type name, shape name, members) in dependency order
        self.enums = {}  # shape name -> (type name, values)
        self.emitted = {}  # shape name -> type name
        self.rules = []
        self.wire_names = []

    def type_name(self, shape_name):
        if shape_name in REUSED:
            return REUSED[shape_name]
        name = RENAMED.get(shape_name) or snake(shape_name)
        if name in self.taken:
            sys.exit(f"generate_operations: shape {shape_name} would be named {name}, which a "
                     "hand-written header declares; add it to REUSED or RENAMED")
        return name

    def cpp_type(self, shape_name):
        """The C++ type of a member of this shape, without the optional."""
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if shape_name in REUSED:
            name = REUSED[shape_name]
            return name if name.startswith("attribute_") else "dynomite::" + name
        if kind == "string" and "enum" in shape:
            if shape_name not in self.enums:
                values = shape["enum"]
                names = [enumerator(v) for v in values]
                if "unknown" in names or len(set(names)) != len(names):
                    sys.exit(f"generate_operations: enumeration {shape_name} has values that "
                             "do not make distinct enumerators")
                self.enums[shape_name] = (self.type_name(shape_name), list(zip(names, values)))
            return "dynomite::" + self.enums[shape_name][0]
        if kind == "string":
            return "std::string"
        if kind == "boolean":
            return "bool"
        if kind in ("integer", "long"):
            return "std::int64_t"
        if kind in ("double", "timestamp"):
            return "double"
        if kind == "list":
            return f"std::vector<{self.cpp_type(shape['member']['shape'])}>"
        if kind == "map":
            key = self.shapes[shape["key"]["shape"]]
            if key["type"] != "string":
                sys.exit(f"generate_operations: map {shape_name} has keys that are not strings")
            value = self.cpp_type(shape["value"]["shape"])
            return f"std::vector<std::pair<std::string, {value}>>"
        if kind == "structure":
            if shape_name not in self.emitted:
                self.structure(shape_name, self.type_name(shape_name))
            return "dynomite::" + self.emitted[shape_name]
        sys.exit(f"generate_operations: shape {shape_name} is of type {kind}, which the "
                 "encoder does not write")

    def structure(self, shape_name, type_name):
        """Emits a structure after the structures it holds; once per type name."""
        if shape_name in self.emitted and self.emitted[shape_name] == type_name:
            return
        if any(t == type_name for t, _, _ in self.structs):
            return
        shape = self.shapes[shape_name]
        required = set(shape.get("required", []))
        members = []
        for wire, ref in shape.get("members", {}).items():
            member = snake(wire)
            if member in KEYWORDS:
                member += "_"
            inner = self.cpp_type(ref["shape"])
            kind = self.shapes[ref["shape"]]["type"]
            plain = wire in required or kind in ("list", "map") or inner.startswith("attribute_")
            cpp = inner if plain else f"std::optional<{inner}>"
            note = ""
            if kind == "timestamp":
                note = "seconds since the Unix epoch"
            if wire in required:
                note = "required" + (", " + note if note else "")
                self.rules.append((f"&{type_name}::{member}", "required"))
            if ref.get("idempotencyToken"):
                if ref["shape"] not in TOKEN_RULES:
                    sys.exit(f"generate_operations: {shape_name}.{wire} is an idempotency token "
                             f"of shape {ref['shape']}, which TOKEN_RULES does not name")
                note = "made once per call when absent"
                self.rules.append((f"&{type_name}::{member}", TOKEN_RULES[ref["shape"]]))
            if pascal(member) != wire:
                self.wire_names.append((f"&{type_name}::{member}", wire))
            members.append((member, cpp, note))
        if shape_name not in self.emitted:
            self.emitted[shape_name] = type_name
        self.structs.append((type_name, shape_name, members))

    def run(self):
        placed = [op for _, ops in FAMILIES.values() for op in ops]
        for operation in self.operations:
            if placed.count(operation) != 1:
                sys.exit(f"generate_operations: operation {operation} must stand in exactly one "
                         "of FAMILIES")
        for operation in sorted(set(placed) - set(self.operations)):
            sys.exit(f"generate_operations: FAMILIES names {operation}, which is not generated")
        for operation in self.operations:
            spec = self.model["operations"][operation]
            name = snake(operation)
            for side, suffix in (("input", "request"), ("output", "response")):
                if side in spec:
                    self.structure(spec[side]["shape"], f"{name}_{suffix}")
                else:
                    self.structs.append((f"{name}_{suffix}", None, []))


    def header_of(self):
        """Type name -> the family whose header declares it: the operation's family for the
        structures only its operations hold, SHARED for those of several families."""
        generated = {t for t, _, _ in self.structs}
        holds = {t: set(re.findall(r"dynomite::(\w+)", " ".join(c for _, c, _ in members)))
                 & generated for t, _, members in self.structs}
        families = {t: set() for t in generated}
        for family, (_, operations) in FAMILIES.items():
            pending = [f"{snake(op)}_{side}" for op in operations
                       for side in ("request", "response")]
            while pending:
                t = pending.pop()
                if family not in families[t]:
                    families[t].add(family)
                    pending += holds[t]
        return {t: next(iter(f)) if len(f) == 1 else SHARED for t, f in families.items()}


NOTICE = ("// Generated by scripts/generate_operations.py from botocore's DynamoDB service model"
          "\n// and scripts/service-model-additions.json; do not edit.")


def render_struct(type_name, shape_name, members):
    out = [""]
    if shape_name and not type_name.endswith(("_request", "_response")):
        out.append(f"/// {shape_name}.")
    out.append(f"struct {type_name} {{")
    for member, cpp, note in members:
        line = f"    {cpp} {member}{{}};" + (f"  // {note}" if note else "")
        if len(line) > 100:
            if note:
                out.append(f"    // {note}")
            out += [f"    {cpp}", f"        {member}{{}};"]
        else:
            out.append(line)
    out.append("};")
    return out


def render_shared(g, header_of):
    out = [NOTICE,
           "// The enumerations of the generated operations, and the structures that the",
           "// operations of more than one header in this folder hold.",
           "#pragma once", "",
           "#include <dynomite/protocol/common.hpp>",
           "#include <dynomite/protocol/tables.hpp>",
           "#include <dynomite/protocol/transactions.hpp>", "",
           "#include <cstdint>", "#include <optional>", "#include <string>",
           "#include <string_view>", "#include <utility>", "#include <vector>", "",
           "namespace dynomite {", ""]
    out.append("// Enumerations: `unknown` is what decoding yields for a name this version does")
    out.append("// not know; it is never sent.")
    for shape_name in sorted(g.enums):
        type_name, values = g.enums[shape_name]
        names = [n for n, _ in values] + ["unknown"]
        line = f"enum class {type_name} {{ {', '.join(names)} }};"
        if len(line) <= 100:
            out.append(line)
        else:
            out.append(f"enum class {type_name} {{")
            out += [f"    {n}," for n in names[:-1]] + ["    unknown", "};"]
    out.append("")
    for shape_name in sorted(g.enums):
        type_name = g.enums[shape_name][0]
        out.append(f"std::string_view to_string({type_name} v) noexcept;")
        out.append(f"bool from_string(std::string_view name, {type_name}& out) noexcept;")
    for type_name, shape_name, members in g.structs:
        if header_of[type_name] == SHARED:
            out += render_struct(type_name, shape_name, members)
    out += ["", "}  // namespace dynomite", ""]
    return "\n".join(out)


def render_family(g, header_of, family):
    title, operations = FAMILIES[family]
    listed = textwrap.wrap(", ".join(operations) + ", and the structures only they hold.", 96)
    out = [NOTICE, f"// {title}: the request and response types of",
           *[f"// {line}" for line in listed],
           "#pragma once", "",
           f"#include <dynomite/protocol/generated/{SHARED}.hpp>", "",
           "namespace dynomite {"]
    for type_name, shape_name, members in g.structs:
        if header_of[type_name] == family:
            out += render_struct(type_name, shape_name, members)
    out += ["", "}  // namespace dynomite", ""]
    return "\n".join(out)


def render_header():
    out = [NOTICE,
           "// Request and response types of the operations of generated_operation_list.hpp,",
           "// and the structures and enumerations inside them, named after the model's shapes,",
           "// one header per family of operations.",
           "#pragma once", ""]
    out += [f"#include <dynomite/protocol/generated/{family}.hpp>" for family in sorted(FAMILIES)]
    out.append("")
    return "\n".join(out)


def render_list(g):
    out = [NOTICE,
           "// The operations generated_operations.hpp declares, as X(snake_name, AwsName).",
           "#pragma once", "", "#define DYNOMITE_GENERATED_OPERATIONS(X) \\"]
    rows = [f"    X({snake(op)}, {op})" for op in g.operations]
    width = max(len(r) for r in rows) + 1
    out += [r.ljust(width) + "\\" if i + 1 < len(rows) else r for i, r in enumerate(rows)]
    out.append("")
    return "\n".join(out)


def describe(type_name, members):
    names = ", ".join(m for m, _, _ in members)
    line = f"BOOST_DESCRIBE_STRUCT({type_name}, (), ({names}))"
    if len(line) <= 100:
        return [line]
    out = [f"BOOST_DESCRIBE_STRUCT({type_name}, (),"]
    current = "                      ("
    for i, (m, _, _) in enumerate(members):
        piece = m + (", " if i + 1 < len(members) else "))")
        if len(current) + len(piece.rstrip()) > 100:
            out.append(current.rstrip())
            current = "                       "
        current += piece
    out.append(current)
    return out


def render_descriptions(g):
    out = [NOTICE,
           "// Descriptions of the types of generated_operations.hpp, included at the end of",
           "// request_description.hpp: members in the model's order, required members, idempotency",
           "// tokens, and JSON names that are not the member's name in PascalCase.",
           "#pragma once", "", "#include <dynomite/protocol/generated_operations.hpp>", "",
           "namespace dynomite {", ""]
    for type_name, _, members in g.structs:
        out += describe(type_name, members)
    out += ["", "namespace detail {", ""]
    for member, rule in g.rules:
        line = f"DYNOMITE_MEMBER_RULE({member}, {rule})"
        if len(line) > 100:
            line = f"DYNOMITE_MEMBER_RULE({member},\n                     {rule})"
        out.append(line)
    out += [f'DYNOMITE_WIRE_NAME({member}, "{wire}")' for member, wire in g.wire_names]
    out += ["", "}  // namespace detail", "}  // namespace dynomite", ""]
    return "\n".join(out)


def render_enum_names(g):
    out = [NOTICE,
           "// Wire names of the enumerations of generated_operations.hpp, indexed by value;",
           "// `unknown` follows the named enumerators.",
           "#include <dynomite/protocol/generated_operations.hpp>", "",
           '#include "core/enum_text.hpp"', "", "#include <string_view>", "",
           "namespace dynomite {", "",
           "#define DYNOMITE_GENERATED_ENUM_NAMES(type, ...)                                    \\",
           "    namespace {                                                                     \\",
           "    constexpr std::string_view generated_##type##_names[] = {__VA_ARGS__};          \\",
           "    }                                                                               \\",
           "    std::string_view to_string(type v) noexcept                                     \\",
           "    {                                                                               \\",
           "        return detail::enum_name(v, generated_##type##_names);                      \\",
           "    }                                                                               \\",
           "    bool from_string(std::string_view name, type& out) noexcept                     \\",
           "    {                                                                               \\",
           "        return detail::enum_from_name(name, out, generated_##type##_names, true);   \\",
           "    }",
           ""]
    for shape_name in sorted(g.enums):
        type_name, values = g.enums[shape_name]
        line = f"DYNOMITE_GENERATED_ENUM_NAMES({type_name}"
        for _, v in values:
            piece = f', "{v}"'
            if len(line) + len(piece) + 1 > 100:
                out.append(line + ",")
                line = "                              " + piece[2:]
            else:
                line += piece
        out.append(line + ")")
    out += ["", "#undef DYNOMITE_GENERATED_ENUM_NAMES", "", "}  // namespace dynomite", ""]
    return "\n".join(out)


def merged(model, additions, additions_path):
    """The model with the operations and shapes of the additions, none of which it may have."""
    clashes = [f"{section[:-1]} {name}" for section in ("operations", "shapes")
               for name in sorted(set(model[section]) & set(additions.get(section, {})))]
    if clashes:
        sys.exit(f"generate_operations: the service model already has the {', '.join(clashes)}; "
                 f"remove them from {additions_path}")
    for section in ("operations", "shapes"):
        model[section].update(additions.get(section, {}))
    return model


def generate(model_path, additions_path):
    with open(model_path, encoding="utf-8") as f:
        model = json.load(f)
    with open(additions_path, encoding="utf-8") as f:
        model = merged(model, json.load(f), additions_path)
    g = Generator(model)
    g.run()
    header_of = g.header_of()
    files = {FAMILY_HEADERS.format(family): render_family(g, header_of, family)
             for family in FAMILIES}
    files[FAMILY_HEADERS.format(SHARED)] = render_shared(g, header_of)
    return files | {
        HEADER: render_header(),
        LIST: render_list(g),
        DESCRIPTIONS: render_descriptions(g),
        ENUM_NAMES: render_enum_names(g),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=MODEL, help="botocore's service-2.json for DynamoDB")
    parser.add_argument("--additions", default=ADDITIONS,
                        help="operations and shapes newer than the model, merged into it")
    parser.add_argument("--out", default=ROOT, help="the tree to write the files into")
    parser.add_argument("--check", action="store_true",
                        help="generate into a temporary folder and compare with the source tree")
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"generate_operations: no service model at {args.model} "
                 "(python3-botocore, which scripts/setup installs)")
    files = generate(args.model, args.additions)
    if args.check:
        differs = False
        with tempfile.TemporaryDirectory() as tmp:
            for path, text in files.items():
                target = os.path.join(tmp, path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as f:
                    f.write(text)
                committed_path = os.path.join(ROOT, path)
                committed = ""
                if os.path.exists(committed_path):
                    with open(committed_path, encoding="utf-8") as f:
                        committed = f.read()
                with open(target, encoding="utf-8") as f:
                    fresh = f.read()
                if fresh != committed:
                    differs = True
                    sys.stdout.writelines(difflib.unified_diff(
                        committed.splitlines(True), fresh.splitlines(True),
                        "committed/" + path, "generated/" + path))
        if differs:
            sys.exit("generate_operations: the committed files differ from what the script "
                     "generates; run scripts/generate_operations.py")
        print(f"generate_operations: {len(files)} files match")
        return
    for path, text in files.items():
        target = os.path.join(args.out, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
