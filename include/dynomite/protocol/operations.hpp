// Request and response types of every DynamoDB operation the client speaks.
#pragma once

#include <dynomite/protocol/batch.hpp>
#include <dynomite/protocol/common.hpp>
#include <dynomite/protocol/enums.hpp>
#include <dynomite/protocol/generated_operations.hpp>
#include <dynomite/protocol/items.hpp>
#include <dynomite/protocol/partiql.hpp>
#include <dynomite/protocol/query_scan.hpp>
#include <dynomite/protocol/streams.hpp>
#include <dynomite/protocol/tables.hpp>
#include <dynomite/protocol/transactions.hpp>
