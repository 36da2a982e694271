"""The XML Schema Steward validates a CTF against before reading anything from it.

DfE publishes no XSD for the CTF (rules.md §8.2: none turned up; the yearly specification describes
the elements in prose and tables). This schema is written from the element tree in rules.md §8.2:
- the elements Steward reads are typed (UPN shape, dates, codes' shapes, numbers);
- the other elements of that tree (UCI, LookedAfter, Admissions, NAWdetails, MedicalFlag, ...) are
  allowed where the tree places them, with any content, and ignored;
- an element the tree does not have is refused, naming it, so nothing is silently dropped. Extend the
  schema when a current specification confirms more elements.
Code values (ethnicity, language, SEN type, ...) are checked by the models when the import is planned,
so the message names the element and says which codes are allowed.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">

  <xs:simpleType name="UPN">
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="LA">
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]{3}|XXX|MMM"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Estab">
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]{4}|XXXX|MMMM"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="URN">
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]{6}|"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Version">
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]{1,2}\\.[0-9]+"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Text">
    <xs:restriction base="xs:string"><xs:maxLength value="200"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Code">
    <xs:restriction base="xs:string"><xs:pattern value="[A-Za-z0-9]{1,4}"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Year">
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]{4}(/[0-9]{2,4})?"/></xs:restriction>
  </xs:simpleType>

  <xs:complexType name="School">
    <xs:sequence>
      <xs:element name="LEA" type="LA"/>
      <xs:element name="Estab" type="Estab"/>
      <xs:element name="URN" type="URN" minOccurs="0"/>
      <xs:element name="SchoolName" type="Text" minOccurs="0"/>
      <xs:element name="AcademicYear" type="Year" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Header">
    <xs:sequence>
      <xs:element name="DocumentName" type="Text"/>
      <xs:element name="CTFversion" type="Version"/>
      <xs:element name="DateTime" type="xs:dateTime"/>
      <xs:element name="DocumentQualifier" type="Text"/>
      <xs:element name="DataQualifier" type="Text" minOccurs="0"/>
      <xs:element name="DataDescriptor" type="xs:string" minOccurs="0"/>
      <xs:element name="SupplierID" type="Text" minOccurs="0"/>
      <xs:element name="SourceSchool" type="School"/>
      <xs:element name="DestSchool" type="School"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Languages">
    <xs:sequence>
      <xs:element name="Type" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="LanguageType" type="Code"/>
            <xs:element name="Language" type="Code"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="BasicDetails">
    <xs:sequence>
      <xs:element name="FormerUPN" type="UPN" minOccurs="0"/>
      <xs:element name="PreferredSurname" type="Text" minOccurs="0"/>
      <xs:element name="FormerSurname" type="Text" minOccurs="0"/>
      <xs:element name="PreferredForename" type="Text" minOccurs="0"/>
      <xs:element name="FormerForename" type="Text" minOccurs="0"/>
      <xs:element name="MiddleNames" type="Text" minOccurs="0"/>
      <xs:element name="NCyearActual" type="Code" minOccurs="0"/>
      <xs:element name="Ethnicity" type="Code" minOccurs="0"/>
      <xs:element name="EthnicitySource" type="Code" minOccurs="0"/>
      <xs:element name="Languages" type="Languages" minOccurs="0"/>
      <xs:element name="MedicalFlag" minOccurs="0"/>
      <xs:element name="Disabilities" minOccurs="0"/>
      <xs:element name="EnrolStatus" type="Code" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="SENhistory">
    <xs:sequence>
      <xs:element name="SEN" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="StartDate" type="xs:date"/>
            <xs:element name="EndDate" type="xs:date" minOccurs="0"/>
            <xs:element name="SENprovision" type="Code"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="SENneeds" minOccurs="0">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="SENneed" maxOccurs="unbounded">
              <xs:complexType>
                <xs:sequence>
                  <xs:element name="SENtype" type="Code"/>
                  <xs:element name="SENtypeRank" type="xs:positiveInteger"/>
                </xs:sequence>
              </xs:complexType>
            </xs:element>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Address">
    <xs:sequence>
      <xs:choice minOccurs="0">
        <xs:element name="BS7666Address">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="SAON" type="Text" minOccurs="0"/>
              <xs:element name="PAON" type="Text" minOccurs="0"/>
              <xs:element name="Street" type="Text" minOccurs="0"/>
              <xs:element name="Locality" type="Text" minOccurs="0"/>
              <xs:element name="Town" type="Text" minOccurs="0"/>
              <xs:element name="AdministrativeArea" type="Text" minOccurs="0"/>
              <xs:element name="PostTown" type="Text" minOccurs="0"/>
              <xs:element name="UniquePropertyReferenceNumber" type="Text" minOccurs="0"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="AddressLines">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="AddressLine1" type="Text" minOccurs="0"/>
              <xs:element name="AddressLine2" type="Text" minOccurs="0"/>
              <xs:element name="AddressLine3" type="Text" minOccurs="0"/>
              <xs:element name="AddressLine4" type="Text" minOccurs="0"/>
              <xs:element name="AddressLine5" type="Text" minOccurs="0"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:choice>
      <xs:element name="County" type="Text" minOccurs="0"/>
      <xs:element name="PostCode" type="Text" minOccurs="0"/>
      <xs:element name="Zip" type="Text" minOccurs="0"/>
      <xs:element name="Country" type="Text" minOccurs="0"/>
      <xs:element name="Easting" type="Text" minOccurs="0"/>
      <xs:element name="Northing" type="Text" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Phones">
    <xs:sequence>
      <xs:element name="Phone" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="TelephoneType" type="Code"/>
            <xs:element name="PhoneNo" type="Text"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Contacts">
    <xs:sequence>
      <xs:element name="Contact" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Order" type="xs:positiveInteger" minOccurs="0"/>
            <xs:element name="Title" type="Text" minOccurs="0"/>
            <xs:element name="Surname" type="Text"/>
            <xs:element name="Forename" type="Text"/>
            <xs:element name="MiddleNames" type="Text" minOccurs="0"/>
            <xs:element name="Gender" type="Code" minOccurs="0"/>
            <xs:element name="Relationship" type="Code"/>
            <xs:element name="Responsibility" type="xs:boolean" minOccurs="0"/>
            <xs:choice minOccurs="0">
              <xs:element name="Address" type="Address"/>
              <xs:element name="AddressAsPupil" type="xs:boolean"/>
            </xs:choice>
            <xs:element name="Phones" type="Phones" minOccurs="0"/>
            <xs:element name="Email" type="Text" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Attendance">
    <xs:sequence>
      <xs:element name="YearData" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Year" type="xs:gYear"/>
            <xs:element name="LEA" type="LA" minOccurs="0"/>
            <xs:element name="Estab" type="Estab" minOccurs="0"/>
            <xs:element name="SchoolName" type="Text" minOccurs="0"/>
            <xs:element name="SessionsPossible" type="xs:nonNegativeInteger" minOccurs="0"/>
            <xs:element name="SessionsAuthorised" type="xs:nonNegativeInteger" minOccurs="0"/>
            <xs:element name="SessionsAttended" type="xs:nonNegativeInteger" minOccurs="0"/>
            <xs:element name="SessionsUnauthorised" type="xs:nonNegativeInteger" minOccurs="0"/>
            <xs:element name="AttendSessions" minOccurs="0">
              <xs:complexType>
                <xs:sequence>
                  <xs:element name="AttendanceStartDate" type="xs:date"/>
                  <xs:element name="AttendanceMarks" type="xs:string"/>
                </xs:sequence>
              </xs:complexType>
            </xs:element>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="StageAssessments">
    <xs:sequence>
      <xs:element name="KeyStage" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Stage" type="Code"/>
            <xs:element name="StageAssessment" minOccurs="0" maxOccurs="unbounded">
              <xs:complexType>
                <xs:sequence>
                  <xs:element name="Locale" type="Code" minOccurs="0"/>
                  <xs:element name="Year" type="Year"/>
                  <xs:element name="Subject" type="Text"/>
                  <xs:element name="Method" type="Text" minOccurs="0"/>
                  <xs:element name="Component" type="Text" minOccurs="0"/>
                  <xs:element name="ResultStatus" type="Text" minOccurs="0"/>
                  <xs:element name="ResultQualifier" type="Text" minOccurs="0"/>
                  <xs:element name="Result" type="Text"/>
                  <xs:element name="ResultDate" type="xs:date" minOccurs="0"/>
                </xs:sequence>
              </xs:complexType>
            </xs:element>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="SchoolHistory">
    <xs:sequence>
      <xs:element name="School" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="LEA" type="LA"/>
            <xs:element name="Estab" type="Estab"/>
            <xs:element name="SchoolName" type="Text" minOccurs="0"/>
            <xs:element name="EntryDate" type="xs:date" minOccurs="0"/>
            <xs:element name="LeavingDate" type="xs:date" minOccurs="0"/>
            <xs:element name="LeavingReason" type="Text" minOccurs="0"/>
            <xs:element name="LastSchool" type="Text" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="FSMhistory">
    <xs:sequence>
      <xs:element name="FSMreviewDate" type="xs:date" minOccurs="0"/>
      <xs:element name="FSMinstance" minOccurs="0" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="FSMstartDate" type="xs:date"/>
            <xs:element name="FSMendDate" type="xs:date" minOccurs="0"/>
            <xs:element name="UKcountry" type="Code" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Pupil">
    <xs:sequence>
      <xs:element name="ApplicationReference" minOccurs="0"/>
      <xs:element name="UPN" type="UPN"/>
      <xs:element name="UniqueLearnerNumber" type="Text" minOccurs="0"/>
      <xs:element name="UCI" minOccurs="0"/>
      <xs:element name="Surname" type="Text"/>
      <xs:element name="Forename" type="Text"/>
      <xs:element name="DOB" type="xs:date"/>
      <xs:choice>
        <xs:element name="Sex" type="Code"/>
        <xs:element name="Gender" type="Code"/>
      </xs:choice>
      <xs:element name="BasicDetails" type="BasicDetails" minOccurs="0"/>
      <xs:element name="LookedAfter" minOccurs="0"/>
      <xs:element name="SENhistory" type="SENhistory" minOccurs="0"/>
      <xs:element name="Admissions" minOccurs="0"/>
      <xs:element name="Address" type="Address" minOccurs="0"/>
      <xs:element name="Phones" type="Phones" minOccurs="0"/>
      <xs:element name="Email" type="Text" minOccurs="0"/>
      <xs:element name="Contacts" type="Contacts" minOccurs="0"/>
      <xs:element name="Attendance" type="Attendance" minOccurs="0"/>
      <xs:element name="StageAssessments" type="StageAssessments" minOccurs="0"/>
      <xs:element name="SchoolHistory" type="SchoolHistory" minOccurs="0"/>
      <xs:element name="FSMhistory" type="FSMhistory" minOccurs="0"/>
      <xs:element name="NAWdetails" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>

  <xs:element name="CTfile">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" type="Header"/>
        <xs:element name="CTFpupilData">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="Pupil" type="Pupil" maxOccurs="unbounded"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


@cache
def schema() -> etree.XMLSchema:
    """The compiled schema (compiled once per process)."""
    return etree.XMLSchema(etree.fromstring(XSD.encode()))
