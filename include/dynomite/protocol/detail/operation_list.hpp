// The DynamoDB and DynamoDB Streams operations the client speaks, in lists:
// X(snake_name, AwsName) expands per operation. Request and response types are
// <snake_name>_request and <snake_name>_response in namespace dynomite. Adding an operation
// means adding it here and describing its types in src/protocol/request_description.hpp and
// src/protocol/response_description.hpp, from which it is encoded, decoded and checked; the
// operations of generated_operation_list.hpp come from scripts/generate_operations.py.
#pragma once

#include <dynomite/protocol/detail/generated_operation_list.hpp>

#define DYNOMITE_DYNAMODB_OPERATIONS(X)                 \
    X(get_item, GetItem)                         \
    X(put_item, PutItem)                         \
    X(update_item, UpdateItem)                   \
    X(delete_item, DeleteItem)                   \
    X(query, Query)                              \
    X(scan, Scan)                                \
    X(batch_get_item, BatchGetItem)              \
    X(batch_write_item, BatchWriteItem)          \
    X(transact_get_items, TransactGetItems)      \
    X(transact_write_items, TransactWriteItems)  \
    X(create_table, CreateTable)                 \
    X(update_table, UpdateTable)                 \
    X(delete_table, DeleteTable)                 \
    X(describe_table, DescribeTable)             \
    X(list_tables, ListTables)                   \
    X(update_time_to_live, UpdateTimeToLive)     \
    X(describe_time_to_live, DescribeTimeToLive) \
    X(execute_statement, ExecuteStatement)       \
    X(batch_execute_statement, BatchExecuteStatement) \
    DYNOMITE_GENERATED_OPERATIONS(X)

// The DynamoDB Streams operations: another target prefix and endpoint, the same signing.
#define DYNOMITE_STREAMS_OPERATIONS(X)            \
    X(list_streams, ListStreams)                 \
    X(describe_stream, DescribeStream)           \
    X(get_shard_iterator, GetShardIterator)      \
    X(get_records, GetRecords)

#define DYNOMITE_OPERATIONS(X)    \
    DYNOMITE_DYNAMODB_OPERATIONS(X) \
    DYNOMITE_STREAMS_OPERATIONS(X)
