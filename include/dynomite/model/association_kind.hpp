// The four kinds of association between models, as model_definition declares them.
#pragma once

namespace dynomite {

enum class association_kind : unsigned char {
    has_many,
    has_one,
    belongs_to,
    has_and_belongs_to_many
};

}  // namespace dynomite
