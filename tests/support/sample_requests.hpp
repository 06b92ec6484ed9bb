// The GetItem that tests send to a fake server, which answers it with whatever it was given:
// only its shape matters to them, not the item it names.
#pragma once

#include <dynomite/protocol/items.hpp>

namespace dynomite::test {

inline get_item_request sample_get()
{
    get_item_request request;
    request.table_name = "Music";
    request.key = {{"Artist", "No One You Know"}};
    return request;
}

}  // namespace dynomite::test
