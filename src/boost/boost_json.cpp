// Boost.JSON, compiled once for the whole library.
#include <boost/json/src.hpp>
