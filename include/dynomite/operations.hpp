// Request and response types of every DynamoDB operation the client speaks.
#pragma once

#include <dynomite/operations/batch.hpp>
#include <dynomite/operations/common.hpp>
#include <dynomite/operations/enums.hpp>
#include <dynomite/operations/items.hpp>
#include <dynomite/operations/partiql.hpp>
#include <dynomite/operations/query_scan.hpp>
#include <dynomite/operations/tables.hpp>
#include <dynomite/operations/transactions.hpp>
