"""SuiteTalk SOAP for the sandbox (2023_2 WSDL shapes): ``service`` (endpoint, operations),
``envelope`` (requests, responses, faults), ``records`` (SOAP records <-> REST bodies),
``search``, ``passport`` (tokenPassport), ``schema`` and ``countries`` (tables generated from the
XSDs)."""
