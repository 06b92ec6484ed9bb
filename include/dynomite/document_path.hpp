#pragma once
// Kept for existing code: the header is <dynomite/core/document_path.hpp>.
#include <dynomite/core/document_path.hpp>
