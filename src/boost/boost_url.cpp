// Boost.URL, compiled once for the whole library.
#include <boost/url/src.hpp>
