// The dotted form of a document path, "a.b[0]", with each name written by the caller: as it is
// in messages (document_path::to_string), as a placeholder in expressions ("#n0.#n1[0]").
#pragma once

#include <dynomite/core/document_path.hpp>

#include <string>

namespace dynomite::detail {

template <class NameText>
std::string path_text(const document_path& path, NameText&& name_text)
{
    std::string out;
    for (const path_segment& s : path.segments()) {
        if (s.is_index()) {
            out += '[';
            out += std::to_string(s.index());
            out += ']';
        } else {
            if (!out.empty()) out += '.';
            out += name_text(s.name());
        }
    }
    return out;
}

}  // namespace dynomite::detail
